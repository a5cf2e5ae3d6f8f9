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
* Database calls run in the store's own threads, never in Rasa's event loop: a locked database
  (another process holding SQLite's write lock, a PostgreSQL table lock) made every request of
  the server, even `GET /`, wait for it. One attempt waits for a lock at most STORE_BUSY_SECONDS
  (SQLite's busy timeout, PostgreSQL's lock_timeout), and never beyond the message's retry
  budget (bot/rasa_server/retry.py). The cache is only touched from the event loop; each thread
  uses its own pooled connection and session.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

from bot.rasa_server.retry import (
    TrackerStoreUnavailable,
    busy_seconds,
    deadlines,
    is_transient_db_error,
    retrying,
)
from bot.rasa_server.tracker_cache import NEW_CONVERSATION, Known, Token, TrackerCache

logger = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_TRACKER_CACHE_SIZE = 1000
SQLITE_CONNECTIONS = 8  # one per store thread: a thread never waits for a pooled connection
MIN_LOCK_WAIT_SECONDS = 0.05

# How long the database call running in this thread may wait for a lock (SQLite), set per call.
_lock_wait = threading.local()


def _pool_capacity(engine: sa.engine.Engine) -> int:
    pool = engine.pool
    if isinstance(pool, sa.pool.QueuePool):
        return max(pool.size() + max(pool._max_overflow, 0), 1)
    return 4


def _engine(url: str) -> sa.engine.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        # SQLAlchemy 1.4 opens and closes a SQLite file per session (NullPool), and closing the
        # last connection checkpoints the WAL with an fsync: ~8 ms per message. Keep a pool of
        # open connections instead, one per store thread; a pooled connection is used by one
        # thread at a time (hence check_same_thread=False).
        engine = sa.create_engine(
            url,
            connect_args={"timeout": busy_seconds(), "check_same_thread": False},
            poolclass=sa.pool.QueuePool,
            pool_size=SQLITE_CONNECTIONS,
            max_overflow=0,
        )

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, fast
            cursor.close()

        @sa.event.listens_for(engine, "checkout")
        def _busy_timeout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
            wait = getattr(_lock_wait, "seconds", None)  # the message's budget is nearly spent
            milliseconds = int(1000 * (busy_seconds() if wait is None else wait))
            if record.info.get("busy_timeout_ms") != milliseconds:
                dbapi_connection.execute(f"PRAGMA busy_timeout={milliseconds}")
                record.info["busy_timeout_ms"] = milliseconds

        return engine
    # One store thread per pooled connection (SQL_POOL_SIZE + SQL_MAX_OVERFLOW): small, and
    # keeps N replicas well under PostgreSQL's max_connections. A statement waiting for a lock
    # (a table locked by maintenance) fails after STORE_BUSY_SECONDS and is retried.
    postgres = parsed.get_backend_name() == "postgresql"
    lock_timeout = f"-c lock_timeout={int(1000 * busy_seconds())}"
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=int(os.environ.get("SQL_POOL_SIZE", 4)),
        max_overflow=int(os.environ.get("SQL_MAX_OVERFLOW", 4)),
        connect_args={"connect_timeout": 3, "options": lock_timeout} if postgres else {},
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
        self._threads = ThreadPoolExecutor(
            _pool_capacity(self.engine), thread_name_prefix="tracker-store"
        )
        # SQLite has one writer at a time. Our threads take turns here (handed over at once)
        # instead of in SQLite's busy handler, which polls with growing sleeps (up to 100 ms).
        sqlite = self.engine.url.get_backend_name() == "sqlite"
        self._writer = threading.Lock() if sqlite else None
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        logger.info("tracker store: %s", self.where)

    async def _off_loop(self, call: Callable[..., T], *args: Any) -> T:
        """`call(*args)` in one of the store's threads. Its wait for a lock ends with the
        message's budget for a locked store, even if it waited in the queue for a thread."""
        _, deadline = deadlines()

        def in_thread() -> T:
            remaining = deadline - time.monotonic()
            _lock_wait.seconds = (
                None if remaining >= busy_seconds() else max(remaining, MIN_LOCK_WAIT_SECONDS)
            )
            try:
                return call(*args)
            finally:
                _lock_wait.seconds = None

        return await asyncio.get_running_loop().run_in_executor(self._threads, in_thread)

    async def _with_retries(self, what: str, call: Callable[..., T], *args: Any) -> T:
        return await retrying(
            f"{what} {self.where}",
            lambda: self._off_loop(call, *args),
            is_transient_db_error,
            TrackerStoreUnavailable,
        )

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        what = f"reading conversation {sender_id} from"
        if not fetch_events_from_all_sessions:
            known = self._cache.take(sender_id)
            if known is not None:
                stored = await self._with_retries(what, self._stored_token, sender_id)
                if stored == known.token:
                    self._cache.hand_out(sender_id, known)
                    return known.tracker
        tracker = await self._with_retries(
            what, self._read_conversation, sender_id, fetch_events_from_all_sessions
        )
        if tracker is not None and not fetch_events_from_all_sessions:
            # Rasa's own rule: a tracker read for the latest session holds what is stored.
            self._cache.hand_out(sender_id, Known(tracker, len(tracker.events)))
        return tracker

    def _read_conversation(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """SQLTrackerStore._retrieve (Rasa's query and deserialisation), as a plain function
        for the store's threads."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            events = [json.loads(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _stored_token(self, sender_id: str) -> Token:
        with self.engine.connect() as connection:
            last_id, count = connection.execute(self._token_query, {"sender_id": sender_id}).one()
        return last_id, count

    async def stored_event_count(self, sender_id: str) -> int:
        """How many events of `sender_id` are stored (0: a new conversation), without reading
        them or touching the cache (Messenger's privacy notice asks before the first message)."""
        what = f"counting the events of {sender_id} in"
        return (await self._with_retries(what, self._stored_token, sender_id))[1]

    async def keys(self) -> Iterable[str]:
        return await self._with_retries("listing conversations in", self._sender_ids)

    def _sender_ids(self) -> list[str]:
        with self.session_scope() as session:
            return [sender for (sender,) in session.query(self.SQLEvent.sender_id).distinct()]

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

        def attempt() -> Token | None:
            nonlocal attempts
            attempts += 1
            # A retry may follow a commit whose acknowledgement was lost: count what is stored.
            persisted = known.persisted if known is not None and attempts == 1 else None
            with self._one_writer():
                return self._save_new_events(tracker, persisted)

        token = await self._with_retries(f"saving conversation {tracker.sender_id} to", attempt)
        self._cache.saved(tracker, token, self._slots())

    @contextlib.contextmanager
    def _one_writer(self) -> Iterator[None]:
        """SQLite: this thread's turn to write, waiting no longer than for the database lock."""
        if self._writer is None:
            yield
            return
        wait = getattr(_lock_wait, "seconds", None)
        if not self._writer.acquire(timeout=busy_seconds() if wait is None else wait):
            locked = sqlite3.OperationalError("database is locked (by this server's writer)")
            raise sa.exc.OperationalError("BEGIN", {}, locked)
        try:
            yield
        finally:
            self._writer.release()

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
