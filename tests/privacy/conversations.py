"""Conversations stored the way the Rasa server stores them (Rasa's SQLTrackerStore, in the
staff database's own database, SQLite or PostgreSQL), for the privacy and review tests."""

from __future__ import annotations

import time
from typing import Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.helpers import run_coroutine


def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load("domain.yml")


def tracker_store(engine: Engine, domain):
    """A real SQLTrackerStore on `engine`'s database (its `events` table next to the staff's)."""
    from rasa.core.tracker_store import SQLTrackerStore

    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return SQLTrackerStore(domain, dialect="sqlite", db=engine.url.database)
    return SQLTrackerStore(domain, host=url)


def turn_events(
    question: str, intent: str, action: str, answer: str, at: float, metadata: dict | None = None
) -> list:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    confidence = {"name": intent, "confidence": 0.9}
    return [
        UserUttered(question, confidence, parse_data={"intent": confidence}, timestamp=at),
        ActionExecuted(action, timestamp=at + 0.1),
        BotUttered(answer, metadata=metadata or {}, timestamp=at + 0.2),
        ActionExecuted("action_listen", timestamp=at + 0.3),
    ]


def save(store, domain, sender: str, turns: Sequence[tuple], start: float | None = None) -> None:
    """Store `sender`'s conversation: turns of (question, intent, action, answer[, metadata])."""
    from rasa.shared.core.trackers import DialogueStateTracker

    at = time.time() - 3600 if start is None else start
    events = []
    for index, turn in enumerate(turns):
        events += turn_events(*turn[:4], at=at + index * 10, metadata=(turn[4:] or [None])[0])
    tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
    run_coroutine(store.save(tracker))


def event_count(engine: Engine, sender: str | None = None) -> int:
    events = sa.table("events", sa.column("sender_id"))
    query = sa.select(sa.func.count()).select_from(events)
    if sender is not None:
        query = query.where(events.c.sender_id == sender)
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


def drop_events(engine: Engine) -> None:
    """PostgreSQL's test database is shared: leave no `events` table behind."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS events")


def senders(engine: Engine) -> Iterator[str]:
    events = sa.table("events", sa.column("sender_id"))
    with engine.connect() as connection:
        yield from connection.execute(sa.select(events.c.sender_id).distinct()).scalars()
