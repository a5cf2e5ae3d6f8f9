"""Where conversations are kept: Rasa's SQL tracker store, made durable and fast.

endpoints.yml names `DurableSQLTrackerStore` with a SQLAlchemy URL: `sqlite:///var/tracker.sqlite3`
by default, `postgresql://...` in the scaled profile. Same `events` table, same queries as
Rasa's SQLTrackerStore. What it changes:

* Rasa wraps every tracker store in `FailSafeTrackerStore`, which on any database error answers
  from an *empty* in-memory tracker and saves the conversation there: the student gets a reply
  without context, and the message never reaches the database. This store opts out of that
  wrapper (bot/rasa_server/patches). Instead, a database that is briefly away is retried
  (bot/rasa_server/retry.py), and after that the message fails loudly.
* Saving is safe to retry: only the events the database does not hold yet are appended, so a
  commit whose acknowledgement was lost is not written twice.
* PostgreSQL connections are checked before use (a restarted server leaves dead ones in the
  pool) and time out after 3 s; SQLite runs in WAL mode.
* The trackers it saved stay in a small LRU cache (TRACKER_CACHE_SIZE, default 1000, 0 turns it
  off; bot/rasa_server/tracker_cache.py), so another replica's write, a deletion or a failed
  message all fall back to reading the database.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

from bot.rasa_server.retry import TrackerStoreUnavailable, is_transient_db_error, retrying
from bot.rasa_server.tracker_cache import NEW_CONVERSATION, Known, Token, TrackerCache

logger = logging.getLogger(__name__)
DEFAULT_TRACKER_CACHE_SIZE = 1000


def _engine(url: str) -> sa.engine.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        # SQLAlchemy 1.4 opens and closes a SQLite file per session (NullPool), and closing the
        # last connection checkpoints the WAL with an fsync: ~8 ms per message. Keep a small
        # pool of open connections instead (Rasa queries from its event-loop thread only).
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=sa.pool.QueuePool,
            pool_size=2,
            max_overflow=2,
        )

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, fast
            cursor.close()

        return engine
    # One event loop per process runs the (blocking) queries one at a time: a small pool is
    # enough, and keeps N replicas well under PostgreSQL's max_connections.
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=int(os.environ.get("SQL_POOL_SIZE", 4)),
        max_overflow=int(os.environ.get("SQL_MAX_OVERFLOW", 4)),
        connect_args={"connect_timeout": 3} if parsed.get_backend_name() == "postgresql" else {},
    )


class DurableSQLTrackerStore(SQLTrackerStore):
    """endpoints.yml: `type: bot.rasa_server.tracker_store.DurableSQLTrackerStore`,
    `url: <SQLAlchemy URL>`."""

    def __init__(
        self,
        domain: Any | None = None,
        host: str | None = None,
        event_broker: Any | None = None,
        url: str | None = None,
        startup_wait_seconds: float = 60,
        **kwargs: Any,
    ) -> None:
        url = url or host
        if not url or "://" not in url:
            raise RasaException(
                "tracker_store.url must be a SQLAlchemy URL such as "
                f"sqlite:///var/tracker.sqlite3 or postgresql://user:pw@host:port/db, not {url!r}"
            )
        for key in ("dialect", "port", "db", "username", "password", "login_db", "query"):
            kwargs.pop(key, None)  # all of these are part of the URL here
        self.engine = _engine(url)
        self.where = self.engine.url.render_as_string(hide_password=True)
        deadline = time.monotonic() + float(startup_wait_seconds)
        while True:  # the database may still be starting (the scaled profile starts it too)
            try:
                self.Base.metadata.create_all(self.engine)
                break
            except sa.exc.IntegrityError:
                break  # another replica created the table at the same moment
            except sa.exc.ProgrammingError as error:
                if "already exists" in str(error):
                    break
                raise
            except sa.exc.OperationalError as error:
                if time.monotonic() > deadline:
                    message = f"tracker store {self.where} unreachable: {error}"
                    raise RasaException(message) from error
                logger.warning("tracker store %s not reachable yet: %s", self.where, error)
                time.sleep(1)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        events = self.SQLEvent.__table__
        self._token_query = sa.select(sa.func.max(events.c.id), sa.func.count(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )
        size = int(os.environ.get("TRACKER_CACHE_SIZE", DEFAULT_TRACKER_CACHE_SIZE))
        self._cache = TrackerCache(size)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        logger.info("tracker store: %s", self.where)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if not fetch_events_from_all_sessions:
            known = self._cache.take(sender_id)
            if known is not None:
                stored = await retrying(
                    f"reading conversation {sender_id} from {self.where}",
                    lambda: self._stored_token(sender_id),
                    is_transient_db_error,
                    TrackerStoreUnavailable,
                )
                if stored == known.token:
                    self._cache.hand_out(sender_id, known)
                    return known.tracker
        parent = super()._retrieve
        tracker = await retrying(
            f"reading conversation {sender_id} from {self.where}",
            lambda: parent(sender_id, fetch_events_from_all_sessions),
            is_transient_db_error,
            TrackerStoreUnavailable,
        )
        if tracker is not None and not fetch_events_from_all_sessions:
            # Rasa's own rule: a tracker read for the latest session holds what is stored.
            self._cache.hand_out(sender_id, Known(tracker, len(tracker.events)))
        return tracker

    async def _stored_token(self, sender_id: str) -> Token:
        with self.engine.connect() as connection:
            last_id, count = connection.execute(self._token_query, {"sender_id": sender_id}).one()
        return last_id, count

    async def create_tracker(
        self, sender_id: str, append_action_listen: bool = True
    ) -> DialogueStateTracker:
        """Called when `retrieve` found no event at all for `sender_id`: nothing is stored."""
        tracker = self.init_tracker(sender_id)
        if append_action_listen:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        self._cache.hand_out(sender_id, Known(tracker, 0, NEW_CONVERSATION))
        await self.save(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        known = self._cache.in_use(tracker)
        if known is not None and known.token is not None and known.persisted == len(tracker.events):
            self._cache.saved(tracker, known.token, self._slots())
            return  # nothing new to store
        attempts = 0

        async def attempt() -> Token | None:
            nonlocal attempts
            attempts += 1
            # A retry may follow a commit whose acknowledgement was lost: count what is stored.
            persisted = known.persisted if known is not None and attempts == 1 else None
            return self._save_new_events(tracker, persisted)

        token = await retrying(
            f"saving conversation {tracker.sender_id} to {self.where}",
            attempt,
            is_transient_db_error,
            TrackerStoreUnavailable,
        )
        self._cache.saved(tracker, token, self._slots())

    def _slots(self) -> Any:
        return self.domain.slots if self.domain else None

    def _save_new_events(
        self, tracker: DialogueStateTracker, persisted: int | None = None
    ) -> Token | None:
        """SQLTrackerStore.save without the event broker. Appends only the events the database
        does not hold yet: those after `persisted` when the store knows it (it handed this
        tracker out), else counted in the database since the session start (Rasa's way), so a
        retry never duplicates. One multi-row INSERT instead of one ORM object per event.
        Returns the conversation's stored token, to recognise it unchanged next time."""
        with self.session_scope() as session:
            if persisted is None:
                new_events = self._additional_events(session, tracker)
            else:
                new_events = itertools.islice(tracker.events, persisted, None)
            rows = []
            for event in new_events:
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            token = None
            if self._cache.size > 0:
                params = {"sender_id": tracker.sender_id}
                last_id, count = session.execute(self._token_query, params).one()
                token = (last_id, count)
            session.commit()
        return token
