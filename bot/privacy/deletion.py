"""Delete one conversation, everywhere it is kept, by the reference the student was given.

Nothing stores the reference: it is recomputed for every sender id in the tracker store
(`deletion_reference`, one HMAC each: 100,000 senders take well under a second) and the one that
matches is deleted:

1. in the staff database, in one transaction: the rows keyed by the conversation's salted hash
   (the inbox's unanswered questions, answers marked wrong and handoffs, students' feedback
   when that table exists),
   then the analytics aggregate forgets the conversation's question texts (its counts stay);
2. in the tracker store, in one transaction: every event of the conversation and its Messenger
   deliveries still queued or remembered. SQLite overwrites deleted rows (secure_delete); the
   aggregate's watermark follows (SQLite gives the next events the deleted ids again).

The staff rows go first: if the tracker store then fails, running the deletion again still finds
the conversation and finishes it; the other order would strand staff rows nobody can find.
A reference that is malformed, matches no conversation, or (a 50-bit collision) matches two,
deletes nothing and says which.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.analytics.aggregate import follow_deletions, forget_conversation
from bot.privacy.reference import ReferenceMaker, parse_reference
from bot.staff_db.db import write_transaction
from bot.staff_db.inbox import Inbox

log = logging.getLogger(__name__)

# Staff tables whose rows belong to one conversation, and their column holding its salted hash.
# `feedback` is created by migration 0005 (issue 15's feedback work); absent tables are skipped.
STAFF_TABLES = {
    "unanswered": "sender_hash",
    "handoffs": "sender_hash",
    "feedback": "conversation_hash",
}
SENDER_BATCH = 5000  # sender ids read per round trip


class DeletionRefused(LookupError):
    """Nothing was deleted; `str()` says why in words staff understand."""


@dataclass(frozen=True)
class DeletionResult:
    reference: str
    events: int  # tracker store events deleted
    staff_rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    analytics: str = ""  # what the analytics aggregate did

    def summary(self) -> str:
        rows = ", ".join(f"{count} {table}" for table, count in self.staff_rows.items() if count)
        return (
            f"Deleted conversation {self.reference}: {self.events} event(s)"
            f"{'; staff rows: ' + rows if rows else '; no staff rows'}; {self.analytics}."
        )


_EVENTS = sa.table("events", sa.column("sender_id"))
_DELIVERIES = sa.table("messenger_deliveries", sa.column("sender_id"))


def _tables(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


def sender_ids(tracker: Engine) -> Iterator[str]:
    """Every conversation's sender id in the tracker store, streamed in batches."""
    with tracker.connect() as connection:
        if "events" not in _tables(connection):
            return
        query = sa.select(_EVENTS.c.sender_id).distinct()
        result = connection.execution_options(stream_results=True).execute(query)
        for rows in result.partitions(SENDER_BATCH):
            for (sender,) in rows:
                yield sender


def find_sender(tracker: Engine, key: str, reference: str) -> str:
    """The sender id whose reference is `reference` (canonical); DeletionRefused otherwise."""
    reference_of = ReferenceMaker(key)
    found = [s for s in sender_ids(tracker) if reference_of(s) == reference]
    if not found:
        raise DeletionRefused(
            f"No conversation has the reference {reference}. Check it with the student; "
            "a conversation deleted already (by request or retention) has none. "
            "Nothing was deleted."
        )
    if len(found) > 1:
        raise DeletionRefused(
            f"The reference {reference} matches {len(found)} conversations (a rare collision), "
            "so it cannot say which one to delete. Nothing was deleted; tell the operator, "
            "who can find the conversation by the student's other details."
        )
    return found[0]


def delete_staff_rows(staff: Engine, conversation_key: str) -> dict[str, int]:
    """Delete the conversation's rows from every staff table keyed by its salted hash."""
    deleted: dict[str, int] = {}
    with write_transaction(staff) as connection:
        present = _tables(connection)
        for name, column in STAFF_TABLES.items():
            if name not in present:
                continue
            columns = {c["name"] for c in sa.inspect(connection).get_columns(name)}
            if column not in columns:  # a schema this code does not know: say so, loudly
                raise RuntimeError(f"staff table {name} has no {column} column: nothing deleted")
            key = sa.column(column)
            statement = sa.delete(sa.table(name, key)).where(key == conversation_key)
            deleted[name] = connection.execute(statement).rowcount
    return deleted


def forget_in_analytics(staff: Engine, conversation_key: str) -> str:
    """The aggregate keeps its counts, which name no one, and drops the question texts."""
    return f"analytics forgot {forget_conversation(staff, conversation_key)} question text(s)"


def delete_events(tracker: Engine, sender_id: str) -> int:
    """Delete the conversation's events and Messenger deliveries, in one transaction."""
    with tracker.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
        present = _tables(connection)
        if "messenger_deliveries" in present:
            connection.execute(sa.delete(_DELIVERIES).where(_DELIVERIES.c.sender_id == sender_id))
        statement = sa.delete(_EVENTS).where(_EVENTS.c.sender_id == sender_id)
        return connection.execute(statement).rowcount


def delete_by_reference(
    reference_text: str, tracker: Engine, staff: Engine, key: str | None = None
) -> DeletionResult:
    """Delete the conversation `reference_text` names (see the module docstring).

    `key`: the reference key (default: the staff database's inbox salt). DeletionRefused, with
    nothing deleted, for a reference that is not one, matches none, or matches two.
    """
    reference = parse_reference(reference_text)
    if reference is None:
        raise DeletionRefused(
            f"“{str(reference_text).strip()[:40]}” is not a conversation reference: those are "
            "ten letters and digits like ABCDE-FGH23. Nothing was deleted."
        )
    inbox = Inbox(staff)
    sender = find_sender(tracker, key or inbox.salt(), reference)
    conversation_key = inbox.hash_sender(sender)
    staff_rows = delete_staff_rows(staff, conversation_key)
    analytics = forget_in_analytics(staff, conversation_key)
    events = delete_events(tracker, sender)
    follow_deletions(staff, tracker)
    log.info("deleted conversation %s by request: %d events, %s", reference, events, staff_rows)
    return DeletionResult(reference, events, staff_rows, analytics)
