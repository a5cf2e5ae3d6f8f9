"""Where conversations are kept (tracker store) and how replicas take turns on one (lock store).

Both classes are named in endpoints.yml, so Rasa creates them from its configuration:

- `DurableSQLTrackerStore`: Rasa's SQL tracker store (same `events` table, same queries) on a
  SQLAlchemy URL: `sqlite:///var/tracker.sqlite3` by default, `postgresql://...` in the
  scaled profile. What it changes:
  * Rasa wraps every tracker store in `FailSafeTrackerStore`, which on any database error
    answers from an *empty* in-memory tracker and saves the conversation there: the student
    gets a reply without context, and the message never reaches the database. This store opts
    out of that wrapper. Instead, a database that is briefly away (a restart, a failover, a
    dropped connection) is retried with back-off for up to STORE_RETRY_SECONDS (default 10),
    so a restart costs latency, not messages; after that the message fails loudly: the log
    names the database and the error, and the student is told the message was not recorded.
  * Saving is safe to retry: Rasa appends only the events the database does not hold yet, so a
    commit whose acknowledgement was lost is not written twice.
  * PostgreSQL connections are checked before use (a restarted server leaves dead ones in the
    pool) and time out after 3 s; SQLite runs in WAL mode.
  * The trackers it saved stay in a small LRU cache (TRACKER_CACHE_SIZE, default 1000, 0 turns
    it off). The next message of that conversation is answered from the cached tracker once one
    cheap query (the conversation's last event id and event count) shows the database still
    holds exactly what was saved, so another replica's write, a deletion or a failed message
    all fall back to reading the database. Reading and deserialising the whole conversation
    and counting its stored events were a third of the server's CPU per message
    (py-spy under `make bench`).
- `ResilientRedisLockStore`: Rasa's Redis lock store, with the same retry budget for a Redis
  that restarts, short socket timeouts (the Redis client blocks the event loop), and a lock
  that vanished while a message waited (Redis restarted empty) is queued for again instead of
  failing the message.

Rasa has no hook for the FailSafe wrapper or for telling the student that a message was lost,
so both stores install two small wrappers when they are created (`install()`, idempotent).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_RETRY_SECONDS = 10.0
STORE_APOLOGY = (
    "Sorry, something went wrong on our side and your last message was not recorded. "
    "Please send it again in a minute."
)


def retry_seconds() -> float:
    return float(os.environ.get("STORE_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


class StoreUnavailable(RasaException):
    """A store stayed unreachable for the whole retry budget; the message was not processed
    (or not recorded). Raised instead of Rasa's silent in-memory fallback."""


class TrackerStoreUnavailable(StoreUnavailable):
    pass


class LockStoreUnavailable(StoreUnavailable):
    pass


def _is_transient_db_error(error: BaseException) -> bool:
    """Connection-level failures worth retrying: refused, dropped, server starting or shutting
    down, SQLite busy. Not: a wrong query or a constraint violation."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))


def _is_transient_redis_error(error: BaseException) -> bool:
    import redis

    return isinstance(
        error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
    ) or (isinstance(error, redis.exceptions.ResponseError) and "LOADING" in str(error))


async def _retrying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    transient: Callable[[BaseException], bool],
    unavailable: type[StoreUnavailable],
    budget: float | None = None,
) -> T:
    """`attempt()` until it succeeds or the store has been away for `budget` seconds."""
    budget = retry_seconds() if budget is None else budget
    deadline = time.monotonic() + budget
    delay, failures = 0.05, 0
    while True:
        try:
            result = await attempt()
        except Exception as error:
            if not transient(error):
                raise
            failures += 1
            if time.monotonic() + delay > deadline:
                logger.error("%s failed for %.0f s, giving up: %s", what, budget, error)
                raise unavailable(f"{what}: unavailable for {budget:.0f} s ({error})") from error
            if failures == 1:
                logger.warning("%s failed, retrying for up to %.0f s: %s", what, budget, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        else:
            if failures:
                logger.warning("%s succeeded after %d retries", what, failures)
            return result


# -- tracker store -------------------------------------------------------------------------------


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


DEFAULT_TRACKER_CACHE_SIZE = 1000

# What identifies the stored state of one conversation: its last event id and its event count.
Token = tuple[Any, int]


@dataclass
class _Known:
    """A tracker whose first `persisted` events are exactly what the database holds, and the
    database's token for it (None: not read)."""

    tracker: DialogueStateTracker
    persisted: int
    token: Token | None = None


NEW_CONVERSATION: Token = (None, 0)  # no event stored: max(id) is NULL, count is 0


class _TrackerCache:
    """Saved trackers (LRU) for the next message, and the trackers in use by the message being
    processed (handed out), so that saving them appends their new events without counting.

    A saved tracker is handed out at most once (taking pops it), so a tracker mutated by a
    message that then failed is never served again: the next message reads the database."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._saved: OrderedDict[str, _Known] = OrderedDict()
        self._in_use: dict[str, _Known] = {}

    def take(self, sender_id: str) -> _Known | None:
        known = self._saved.pop(sender_id, None)
        if known is not None and len(known.tracker.events) != known.persisted:
            return None  # changed after it was saved, without being saved again
        return known

    def hand_out(self, sender_id: str, known: _Known) -> None:
        if len(self._in_use) >= 4 * max(self.size, 1):
            self._in_use.clear()  # messages that failed before saving; all safe to forget
        self._in_use[sender_id] = known

    def in_use(self, tracker: DialogueStateTracker) -> _Known | None:
        """What is known of `tracker` if this store handed it out (None: count in the database).
        A bounded event history drops old events, so positions in it are not stable."""
        known = self._in_use.get(tracker.sender_id)
        if known is None or known.tracker is not tracker or tracker._max_event_history:
            return None
        return known

    def saved(self, tracker: DialogueStateTracker, token: Token | None, slots: Any) -> None:
        """`tracker` was stored whole: the message may save it again, the next may reuse it."""
        sender_id = tracker.sender_id
        known = _Known(tracker, len(tracker.events), token)
        self.hand_out(sender_id, known)
        self._saved.pop(sender_id, None)
        if self.size <= 0 or token is None:
            return
        kept = _as_stored(tracker.events)
        if len(kept) < len(tracker.events):
            copy = DialogueStateTracker.from_events(
                sender_id, kept, slots, tracker._max_event_history
            )
            known = _Known(copy, len(kept), token)
        self._saved[sender_id] = known
        while len(self._saved) > self.size:
            self._saved.popitem(last=False)


def _as_stored(events: Iterable[Event]) -> list[Event]:
    """The events of a tracker that reading the database rebuilds: Rasa reads only those since
    the latest session start, by timestamp (so not a conversation's first action_session_start)."""
    events = list(events)
    starts = [e.timestamp for e in events if isinstance(e, SessionStarted)]
    return [e for e in events if e.timestamp >= starts[-1]] if starts else events


class DurableSQLTrackerStore(SQLTrackerStore):
    """endpoints.yml: `type: bot.stores.DurableSQLTrackerStore`, `url: <SQLAlchemy URL>`."""

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
        self._cache = _TrackerCache(size)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        install()
        logger.info("tracker store: %s", self.where)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if not fetch_events_from_all_sessions:
            known = self._cache.take(sender_id)
            if known is not None:
                stored = await _retrying(
                    f"reading conversation {sender_id} from {self.where}",
                    lambda: self._stored_token(sender_id),
                    _is_transient_db_error,
                    TrackerStoreUnavailable,
                )
                if stored == known.token:
                    self._cache.hand_out(sender_id, known)
                    return known.tracker
        parent = super()._retrieve
        tracker = await _retrying(
            f"reading conversation {sender_id} from {self.where}",
            lambda: parent(sender_id, fetch_events_from_all_sessions),
            _is_transient_db_error,
            TrackerStoreUnavailable,
        )
        if tracker is not None and not fetch_events_from_all_sessions:
            # Rasa's own rule: a tracker read for the latest session holds what is stored.
            self._cache.hand_out(sender_id, _Known(tracker, len(tracker.events)))
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
        self._cache.hand_out(sender_id, _Known(tracker, 0, NEW_CONVERSATION))
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

        token = await _retrying(
            f"saving conversation {tracker.sender_id} to {self.where}",
            attempt,
            _is_transient_db_error,
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


# -- lock store ----------------------------------------------------------------------------------


class ResilientRedisLockStore(RedisLockStore):
    """endpoints.yml: `type: bot.stores.ResilientRedisLockStore` with url/port/password/db."""

    def __init__(self, endpoint_config: Any | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        kwargs["password"] = kwargs.get("password") or None  # "" from an unset ${VAR}
        kwargs.setdefault("socket_timeout", 2)
        super().__init__(**kwargs)
        self.red.connection_pool.connection_kwargs["socket_connect_timeout"] = 2
        self.where = "redis://{host}:{port}/{db}".format(
            **{k: self.red.connection_pool.connection_kwargs.get(k) for k in ("host", "port", "db")}
        )
        install()
        logger.info("lock store: %s (ticket lifetime %s s)", self.where, self._lifetime())

    @staticmethod
    def _lifetime() -> float:
        return rasa_lock_store.LOCK_LIFETIME

    async def _redis(self, what: str, call: Callable[[], T]) -> T:
        async def attempt() -> T:
            return call()

        return await _retrying(
            f"{what} ({self.where})", attempt, _is_transient_redis_error, LockStoreUnavailable
        )

    def _issue(self, conversation_id: str, lifetime: float) -> int:
        lock = self.get_or_create_lock(conversation_id)
        ticket = lock.issue_ticket(lifetime)
        self.save_lock(lock)
        return ticket

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float = 0.25,
    ) -> AsyncGenerator[TicketLock, None]:
        lifetime = lock_lifetime or self._lifetime()
        ticket = await self._redis(
            f"issuing a lock ticket for {conversation_id}",
            lambda: self._issue(conversation_id, lifetime),
        )
        holder: dict[str, int] = {"ticket": ticket}
        try:
            yield await self._wait_for_turn(conversation_id, holder, lifetime, wait_time_in_seconds)
        finally:
            with contextlib.suppress(LockStoreUnavailable):  # the ticket expires by itself
                await self._redis(
                    f"releasing the lock of {conversation_id}",
                    lambda: self.cleanup(conversation_id, holder["ticket"]),
                )

    async def _wait_for_turn(
        self, conversation_id: str, holder: dict[str, int], lifetime: float, wait: float
    ) -> TicketLock:
        """Rasa's _acquire_lock, except that a lock or ticket that disappeared while waiting
        (Redis restarted empty, or the ticket expired behind a slow message) is queued for again
        instead of failing the message. Bounded: tickets ahead of ours expire."""
        while True:
            lock = await self._redis(
                f"reading the lock of {conversation_id}", lambda: self.get_lock(conversation_id)
            )
            ticket = holder["ticket"]
            if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                holder["ticket"] = await self._redis(
                    f"issuing a lock ticket for {conversation_id}",
                    lambda: self._issue(conversation_id, lifetime),
                )
                continue
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait)
            await self._redis(
                f"updating the lock of {conversation_id}",
                lambda: self.update_lock(conversation_id),
            )


# -- no silent fallback --------------------------------------------------------------------------


def install() -> None:
    """Our stores are used without Rasa's FailSafeTrackerStore, and a message that could not be
    processed because a store was away gets a clear answer instead of silence."""
    from rasa.core.agent import Agent

    create = Agent._create_tracker_store
    if not getattr(create, "_beu_durable", False):

        def create_tracker_store(store: TrackerStore | None, domain: Any) -> TrackerStore:
            if isinstance(store, DurableSQLTrackerStore):
                store.domain = domain
                return store
            return create(store, domain)

        create_tracker_store._beu_durable = True  # type: ignore[attr-defined]
        Agent._create_tracker_store = staticmethod(create_tracker_store)  # type: ignore[assignment]

    handle = Agent.handle_message
    if not getattr(handle, "_beu_durable", False):

        async def handle_message(self: Agent, message: Any) -> Any:
            try:
                return await handle(self, message)
            except StoreUnavailable:
                with contextlib.suppress(Exception):
                    await message.output_channel.send_text_message(message.sender_id, STORE_APOLOGY)
                raise  # the channel logs it (rest.message.received.failure, with the cause)

        handle_message._beu_durable = True  # type: ignore[attr-defined]
        Agent.handle_message = handle_message  # type: ignore[method-assign]
