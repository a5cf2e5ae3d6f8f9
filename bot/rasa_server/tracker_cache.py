"""The trackers the tracker store saved, kept for the next message of their conversation.

Reading and deserialising the whole conversation, and counting its stored events, were a third
of the Rasa server's CPU per message (py-spy under `make bench`). A cached tracker is reused
only after one cheap query (the conversation's last event id and event count) shows the
database still holds exactly what was saved (bot/rasa_server/tracker_store.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

# What identifies the stored state of one conversation: its last event id and its event count.
Token = tuple[Any, int]


@dataclass
class Known:
    """A tracker whose first `persisted` events are exactly what the database holds, and the
    database's token for it (None: not read)."""

    tracker: DialogueStateTracker
    persisted: int
    token: Token | None = None


NEW_CONVERSATION: Token = (None, 0)  # no event stored: max(id) is NULL, count is 0


class TrackerCache:
    """Saved trackers (LRU) for the next message, and the trackers in use by the message being
    processed (handed out), so that saving them appends their new events without counting.

    A saved tracker is handed out at most once (taking pops it), so a tracker mutated by a
    message that then failed is never served again: the next message reads the database."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._saved: OrderedDict[str, Known] = OrderedDict()
        self._in_use: dict[str, Known] = {}

    def take(self, sender_id: str) -> Known | None:
        known = self._saved.pop(sender_id, None)
        if known is not None and len(known.tracker.events) != known.persisted:
            return None  # changed after it was saved, without being saved again
        return known

    def hand_out(self, sender_id: str, known: Known) -> None:
        if len(self._in_use) >= 4 * max(self.size, 1):
            self._in_use.clear()  # messages that failed before saving; all safe to forget
        self._in_use[sender_id] = known

    def in_use(self, tracker: DialogueStateTracker) -> Known | None:
        """What is known of `tracker` if this store handed it out (None: count in the database).
        A bounded event history drops old events, so positions in it are not stable."""
        known = self._in_use.get(tracker.sender_id)
        if known is None or known.tracker is not tracker or tracker._max_event_history:
            return None
        return known

    def saved(self, tracker: DialogueStateTracker, token: Token | None, slots: Any) -> None:
        """`tracker` was stored whole: the message may save it again, the next may reuse it."""
        sender_id = tracker.sender_id
        known = Known(tracker, len(tracker.events), token)
        self.hand_out(sender_id, known)
        self._saved.pop(sender_id, None)
        if self.size <= 0 or token is None:
            return
        kept = as_stored(tracker.events)
        if len(kept) < len(tracker.events):
            copy = DialogueStateTracker.from_events(
                sender_id, kept, slots, tracker._max_event_history
            )
            known = Known(copy, len(kept), token)
        self._saved[sender_id] = known
        while len(self._saved) > self.size:
            self._saved.popitem(last=False)


def as_stored(events: Iterable[Event]) -> list[Event]:
    """The events of a tracker that reading the database rebuilds: Rasa reads only those since
    the latest session start, by timestamp (so not a conversation's first action_session_start)."""
    events = list(events)
    starts = [e.timestamp for e in events if isinstance(e, SessionStarted)]
    return [e for e in events if e.timestamp >= starts[-1]] if starts else events
