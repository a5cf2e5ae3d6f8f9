"""The durable queue of Messenger events: recorded before the webhook says 200, answered after.

Facebook redelivers a webhook call that is slow (it wants 200 within seconds) or fails, so the
webhook only records the events and a worker answers them (bot/rasa_server/channels/
messenger_worker.py). The queue is a table of its own, `messenger_deliveries`, in the tracker
store's database (MESSENGER_QUEUE_URL, default TRACKER_STORE_URL: SQLite by default, PostgreSQL
in the scaled profile, shared by the replicas), created on start. Why not Redis: the scaled
profile's Redis keeps no data on disk (it only holds locks), and a queue must survive a restart.

- One row per event, unique by its key (bot/rasa_server/channels/messenger_events.py): the
  insert that records an event is also the deduplication that every replica shares. Finished
  rows are kept MESSENGER_DEDUP_HOURS (default 48, at least 24) so a late redelivery is still
  recognised, then pruned.
- At most MESSENGER_QUEUE_LIMIT (default 1000) unfinished events: beyond that a delivery is
  refused whole (the webhook answers 503 and Facebook retries later).
- A worker leases an event (MESSENGER_LEASE_SECONDS, default 30, renewed while it works) so two
  replicas never answer the same one; a lease left by a process that died expires and the event
  is answered by the next worker. Only the oldest unfinished event of a sender can be leased, so
  a student's messages are answered in order. An event leased MAX_ATTEMPTS times without being
  finished (it kills the process every time) is marked failed.

All methods block (SQLAlchemy): callers run them in a thread, never on the event loop.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from bot.rasa_server.channels.messenger_events import Incoming

logger = logging.getLogger(__name__)

QUEUED, DONE, FAILED = "queued", "done", "failed"
MAX_ATTEMPTS = 3
DEFAULT_LIMIT = 1000
DEFAULT_LEASE_SECONDS = 30.0
DEFAULT_KEEP_HOURS = 48.0
# How long a webhook call may wait for the database before it answers 503 (well under the 1 s
# the webhook has to acknowledge in).
DEFAULT_RECORD_TIMEOUT = 0.7

metadata = sa.MetaData()
deliveries = sa.Table(
    "messenger_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.String(64), nullable=False, unique=True),
    sa.Column("sender_id", sa.String(64), nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("state", sa.String(8), nullable=False, default=QUEUED),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("lease_owner", sa.String(40)),
    sa.Column("lease_until", sa.Float, nullable=False, default=0.0),
    sa.Column("finished_at", sa.Float),
    sa.Index("messenger_deliveries_pending", "state", "sender_id", "id"),
)


class QueueFull(Exception):
    """More unfinished events than the limit: refuse the delivery, Facebook retries later."""


@dataclass(frozen=True)
class Recorded:
    new: list[Incoming]
    duplicates: int


@dataclass(frozen=True)
class Leased:
    id: int
    sender: str
    event: dict[str, Any]
    attempts: int


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def _engine(url: str, timeout: float) -> sa.engine.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"timeout": timeout, "check_same_thread": False},
            poolclass=sa.pool.QueuePool,
            pool_size=2,
            max_overflow=4,
            pool_timeout=timeout,
        )

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # A locked table or a slow server must not hold a webhook call: it answers 503.
        connect_args = {"connect_timeout": 2, "options": "-c lock_timeout=2000"}
    return sa.create_engine(
        url, pool_pre_ping=True, pool_size=2, max_overflow=4, connect_args=connect_args
    )


class DeliveryQueue:
    def __init__(
        self,
        url: str,
        limit: int | None = None,
        lease_seconds: float | None = None,
        keep_hours: float | None = None,
        record_timeout: float | None = None,
    ) -> None:
        self.limit = int(limit or _env_float("MESSENGER_QUEUE_LIMIT", DEFAULT_LIMIT))
        self.lease_seconds = lease_seconds or _env_float(
            "MESSENGER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS
        )
        self.keep_seconds = 3600 * max(
            keep_hours or _env_float("MESSENGER_DEDUP_HOURS", DEFAULT_KEEP_HOURS), 24.0
        )
        self.record_timeout = record_timeout or _env_float(
            "MESSENGER_RECORD_TIMEOUT", DEFAULT_RECORD_TIMEOUT
        )
        self.engine = _engine(url, self.record_timeout)
        self.where = self.engine.url.render_as_string(hide_password=True)
        dialect = self.engine.dialect.name
        self._insert = (postgresql if dialect == "postgresql" else sqlite).insert(deliveries)

    def create(self, wait_seconds: float = 60) -> DeliveryQueue:
        """Create the table (and wait for a database that is still starting)."""
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                metadata.create_all(self.engine)
                return self
            except (sa.exc.IntegrityError, sa.exc.ProgrammingError) as error:
                if isinstance(error, sa.exc.IntegrityError) or "already exists" in str(error):
                    return self  # another replica created it at the same moment
                raise
            except sa.exc.OperationalError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Messenger queue {self.where} unreachable: {error}"
                    ) from error
                logger.warning("Messenger queue %s not reachable yet: %s", self.where, error)
                time.sleep(1)

    # the webhook
    def record(self, events: list[Incoming]) -> Recorded:
        """Record every event not recorded before, in one transaction: all or none."""
        now = time.time()
        new: list[Incoming] = []
        with self.engine.begin() as connection:
            for item in events:
                inserted = connection.execute(
                    self._insert.values(
                        event_key=item.key,
                        sender_id=item.sender,
                        event=json.dumps(item.event),
                        received_at=now,
                        state=QUEUED,
                        attempts=0,
                        lease_until=0.0,
                    ).on_conflict_do_nothing(index_elements=["event_key"])
                )
                if inserted.rowcount == 1:
                    new.append(item)
            if new:  # counted after the inserts, so a redelivery never counts against it
                pending = connection.execute(
                    sa.select(sa.func.count())
                    .select_from(deliveries)
                    .where(deliveries.c.state == QUEUED)
                ).scalar_one()
                if pending > self.limit:  # leaving the block with an error rolls back
                    raise QueueFull(
                        f"{pending - len(new)} unfinished Messenger events (limit {self.limit})"
                    )
        return Recorded(new, len(events) - len(new))

    def is_recorded(self, key: str) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(deliveries.c.id).where(deliveries.c.event_key == key)
            ).first()
        return found is not None

    # the worker
    def heads(self, limit: int, busy: set[str] | frozenset[str] = frozenset()) -> list[Leased]:
        """The oldest unfinished event of each sender whose lease is free, oldest first."""
        first_per_sender = (
            sa.select(sa.func.min(deliveries.c.id))
            .where(deliveries.c.state == QUEUED)
            .group_by(deliveries.c.sender_id)
        )
        query = (
            sa.select(
                deliveries.c.id, deliveries.c.sender_id, deliveries.c.event, deliveries.c.attempts
            )
            .where(deliveries.c.id.in_(first_per_sender))
            .where(deliveries.c.lease_until < time.time())
            .order_by(deliveries.c.id)
            .limit(limit + len(busy))
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Leased(row.id, row.sender_id, json.loads(row.event), row.attempts)
            for row in rows
            if row.sender_id not in busy
        ][:limit]

    def lease(self, item: Leased, owner: str) -> bool:
        """Take the event for `lease_seconds`, unless another worker took it first."""
        now = time.time()
        with self.engine.begin() as connection:
            taken = connection.execute(
                deliveries.update()
                .where(deliveries.c.id == item.id)
                .where(deliveries.c.state == QUEUED)
                .where(deliveries.c.lease_until < now)
                .values(
                    lease_owner=owner,
                    lease_until=now + self.lease_seconds,
                    attempts=deliveries.c.attempts + 1,
                )
            )
        return taken.rowcount == 1

    def renew(self, item: Leased, owner: str) -> bool:
        with self.engine.begin() as connection:
            renewed = connection.execute(
                deliveries.update()
                .where(deliveries.c.id == item.id)
                .where(deliveries.c.lease_owner == owner)
                .where(deliveries.c.state == QUEUED)
                .values(lease_until=time.time() + self.lease_seconds)
            )
        return renewed.rowcount == 1

    def release(self, item: Leased, owner: str) -> None:
        """Give the event back untouched (the worker could not start on it)."""
        with self.engine.begin() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.id == item.id)
                .where(deliveries.c.lease_owner == owner)
                .values(lease_until=0.0, attempts=deliveries.c.attempts - 1)
            )

    def finish(self, item: Leased, owner: str, state: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.id == item.id)
                .where(deliveries.c.lease_owner == owner)
                .values(state=state, finished_at=time.time(), lease_until=0.0)
            )

    def prune(self) -> int:
        """Forget finished events older than the deduplication window."""
        with self.engine.begin() as connection:
            pruned = connection.execute(
                deliveries.delete()
                .where(deliveries.c.state != QUEUED)
                .where(deliveries.c.finished_at < time.time() - self.keep_seconds)
            )
        return pruned.rowcount

    def counts(self) -> dict[str, int]:
        """Events per state (operators, tests)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(deliveries.c.state, sa.func.count()).group_by(deliveries.c.state)
            ).all()
        return {state: count for state, count in rows}
