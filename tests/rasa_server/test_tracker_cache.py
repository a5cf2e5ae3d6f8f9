"""The tracker store's cache (bot/rasa_server/tracker_cache.py) serves exactly what the database
would, on SQLite and on PostgreSQL: a cached tracker equals a fresh read, another replica's
write or a deletion is seen, a message that failed before saving leaves no trace, and no event
is ever stored twice."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.rasa_server import tracker_store as stores
from tests.helpers import run_coroutine

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask_project_details]
entities: [project]
slots:
  project:
    type: text
    influence_conversation: false
    mappings: [{type: from_entity, entity: project}]
"""
)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
        return
    from tests.postgres import new_database

    with new_database(request.getfixturevalue("postgres_server"), "tracker") as database:
        yield database


@pytest.fixture()
def open_stores() -> Iterator[list]:
    opened: list = []
    yield opened
    for store in opened:
        store.engine.dispose()


@pytest.fixture()
def store(url, open_stores):
    return new_store(url, open_stores)


def new_store(url: str, open_stores: list) -> stores.DurableSQLTrackerStore:
    """Another replica (or the next process) on the same database: its own, empty, cache."""
    store = stores.DurableSQLTrackerStore(DOMAIN, host=url)
    open_stores.append(store)
    return store


run = run_coroutine  # works beside the browser tests' running event loop


def turn(tracker: DialogueStateTracker, text: str, project: str | None = None) -> None:
    """What the processor appends for one message: the user, a slot, the answer, listening."""
    tracker.update(UserUttered(text, {"name": "ask_project_details", "confidence": 0.9}))
    if project:
        tracker.update(SlotSet("project", project))
    tracker.update(ActionExecuted("action_project_details"))
    tracker.update(BotUttered(f"about {text}"))
    tracker.update(ActionExecuted("action_listen"))


def message(store, sender: str, text: str, project: str | None = None) -> DialogueStateTracker:
    """One message handled the way Rasa does it: read (or start) the conversation, add, save."""
    tracker = run(store.get_or_create_tracker(sender, append_action_listen=False))
    if not tracker.events:
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
    turn(tracker, text, project)
    run(store.save(tracker))
    return tracker


def stored_events(store, sender: str) -> list:
    table = store.SQLEvent.__table__
    with store.engine.connect() as connection:
        query = sa.select(table.c.type_name, table.c.data).where(table.c.sender_id == sender)
        return list(connection.execute(query.order_by(table.c.id)))


def state(tracker: DialogueStateTracker) -> dict:
    return tracker.current_state(EventVerbosity.AFTER_RESTART)


def test_the_next_message_is_served_from_the_cache_and_equals_a_fresh_read(store, url, open_stores):
    message(store, "s", "hello")  # the first message keeps pre-session events: not cached
    second = message(store, "s", "PAWER", project="PAWER")
    served = run(store.retrieve("s"))
    assert served is second  # no read, no deserialisation
    fresh = run(new_store(url, open_stores).retrieve("s"))
    assert served == fresh and state(served) == state(fresh)
    assert served.get_slot("project") == "PAWER"


def test_events_are_stored_once_across_cached_messages(store, url, open_stores):
    for text in ("hello", "PAWER", "who coordinates it", "thanks"):
        message(store, "s", text)
    rows = stored_events(store, "s")
    assert [r.type_name for r in rows].count("user") == 4
    fresh = run(new_store(url, open_stores).retrieve("s"))
    assert len(rows) == len(fresh.events) + 1  # the read starts at SessionStarted
    assert [e.text for e in fresh.events if isinstance(e, UserUttered)] == [
        "hello",
        "PAWER",
        "who coordinates it",
        "thanks",
    ]


def test_another_replicas_write_is_seen(store, url, open_stores):
    message(store, "s", "hello")
    message(store, "s", "PAWER", project="PAWER")
    other = new_store(url, open_stores)
    message(other, "s", "NIZAMI", project="NIZAMI")  # the next message went to another replica
    served = run(store.retrieve("s"))
    assert served.get_slot("project") == "NIZAMI"
    assert "NIZAMI" in [e.text for e in served.events if isinstance(e, UserUttered)]
    turn(served, "thanks")
    run(store.save(served))
    assert [r.type_name for r in stored_events(store, "s")].count("user") == 4


def test_a_deleted_conversation_is_not_served_from_the_cache(store):
    message(store, "s", "hello")
    message(store, "s", "PAWER")
    table = store.SQLEvent.__table__
    with store.engine.begin() as connection:  # what `python -m bot retention` does
        connection.execute(table.delete().where(table.c.sender_id == "s"))
    assert run(store.retrieve("s")) is None


def test_a_message_that_failed_before_saving_leaves_no_trace(store):
    message(store, "s", "hello")
    message(store, "s", "PAWER")
    failed = run(store.retrieve("s"))
    turn(failed, "this message failed")  # mutated, never saved
    again = run(store.retrieve("s"))
    assert again is not failed
    assert "this message failed" not in [e.text for e in again.events if hasattr(e, "text")]
    turn(again, "retry")
    run(store.save(again))
    texts = [r.data for r in stored_events(store, "s")]
    assert not any("this message failed" in t for t in texts)


def test_a_retried_save_after_a_lost_acknowledgement_writes_nothing_twice(store, monkeypatch):
    message(store, "s", "hello")
    message(store, "s", "PAWER")
    tracker = run(store.retrieve("s"))
    turn(tracker, "NIZAMI")
    original, calls = store._save_new_events, []

    def committed_but_unacknowledged(tracker, persisted=None):
        calls.append(persisted)
        result = original(tracker, persisted)
        if len(calls) == 1:
            raise sa.exc.OperationalError("COMMIT", {}, Exception("connection reset"))
        return result

    monkeypatch.setattr(store, "_save_new_events", committed_but_unacknowledged)
    run(store.save(tracker))
    assert calls[0] is not None and calls[1] is None  # the retry counts what is stored
    assert [r.type_name for r in stored_events(store, "s")].count("user") == 3


def test_the_cache_keeps_the_most_recent_conversations(url, open_stores, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "2")
    store = new_store(url, open_stores)
    for sender in ("a", "b", "c"):
        message(store, sender, "hello")
        message(store, sender, "PAWER")
    assert run(store.retrieve("a")) is not None
    assert store._cache.take("a") is None and store._cache.take("c") is not None


def test_a_cache_size_of_zero_always_reads_the_database(url, open_stores, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "0")
    store = new_store(url, open_stores)
    message(store, "s", "hello")
    saved = message(store, "s", "PAWER")
    served = run(store.retrieve("s"))
    assert served is not saved and served == saved
    message(store, "s", "thanks")
    assert [r.type_name for r in stored_events(store, "s")].count("user") == 3


def test_a_new_session_is_cached_only_as_the_database_would_return_it(store, url, open_stores):
    message(store, "s", "hello")
    tracker = message(store, "s", "PAWER", project="PAWER")
    time.sleep(0.01)
    tracker = run(store.retrieve("s"))
    tracker.update(ActionExecuted("action_session_start"))  # the session expired
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "new session")
    run(store.save(tracker))
    served = run(store.retrieve("s"))
    fresh = run(new_store(url, open_stores).retrieve("s"))
    assert served == fresh
    assert [e.text for e in served.events if isinstance(e, UserUttered)] == ["new session"]


def test_a_conversation_is_read_from_the_database_only_when_the_cache_cannot_answer(
    store, url, open_stores, monkeypatch
):
    reads = []
    read = stores.DurableSQLTrackerStore._read_conversation  # Rasa's query, in a store thread

    def counted(self, sender_id, fetch_events_from_all_sessions):
        reads.append(sender_id)
        return read(self, sender_id, fetch_events_from_all_sessions)

    monkeypatch.setattr(stores.DurableSQLTrackerStore, "_read_conversation", counted)
    first = message(store, "s", "hello")  # one read: is there a conversation already?
    assert reads == ["s"]
    served = run(store.retrieve("s"))
    assert reads == ["s"]  # the first message's tracker, as the database would return it
    fresh = run(new_store(url, open_stores).retrieve("s"))
    assert served is not first and served == fresh and state(served) == state(fresh)
    turn(served, "PAWER")  # the second message goes on with the cached tracker
    run(store.save(served))
    message(store, "s", "who coordinates it")
    assert reads == ["s", "s"]  # the fresh read above; none for the second and third messages
    assert [r.type_name for r in stored_events(store, "s")].count("user") == 3
