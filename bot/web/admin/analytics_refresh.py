"""Bring the analytics aggregate up to date before a dashboard view (at most once a second).

The aggregate (bot/analytics/aggregate.py) reads only the tracker-store events after its
watermark, so a refresh costs what arrived since the last one. Doing it here means staff see
today's conversations without a cron job; the throttle keeps a page that is reloaded, or the
page, CSV and API asked together, from reading the store each time. When the tracker store
cannot be read, the view still shows what the aggregate holds and says the newest may be
missing.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine

from bot.analytics.aggregate import SourceChanged, missing_sqlite_file, refresh

log = logging.getLogger(__name__)
STALE_NOTE = (
    "The newest conversations could not be read into these figures just now (the conversation "
    "store or the staff database was busy or unreachable): reload in a moment."
)


class AggregateRefresher:
    """One per admin app; thread-safe (views call it from worker threads)."""

    def __init__(self, staff: Engine, tracker_url: str | None, every_seconds: float) -> None:
        self.staff = staff
        self.tracker_url = tracker_url
        self.every_seconds = every_seconds
        self._lock = threading.Lock()
        self._last = float("-inf")

    def __call__(self) -> str:
        """Refresh if due; "" when the aggregate is as fresh as it can be, else a note for staff."""
        if not self.tracker_url or missing_sqlite_file(self.tracker_url):
            return ""  # no conversations yet (never create the store's file from here)
        with self._lock:  # a second view waits for the first one's refresh, then uses it
            if time.monotonic() - self._last < self.every_seconds:
                return ""
            try:
                result = refresh(self.staff, self.tracker_url)
            except SourceChanged as error:  # a deployment mistake: say what to fix
                log.error("analytics refresh refused: %s", error)
                return f"These figures cannot be brought up to date: {error}."
            except Exception as error:  # a store is down or locked: show what we have
                log.warning("analytics refresh from the tracker store failed: %s", error)
                return STALE_NOTE
            self._last = time.monotonic()
            log.info(
                "analytics: read %d events (%d messages) in %.2f s",
                result.events_read,
                result.messages,
                result.seconds,
            )
            return ""
