"""The tracker and lock stores in-process (bot/rasa_server/tracker_store.py, lock_store.py):
persistence, bounded retries, no silent in-memory fallback, a Redis that restarts."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from bot.ops.services.redis import LocalRedis
from bot.rasa_server.lock_store import ResilientRedisLockStore
from bot.rasa_server.retry import STORE_APOLOGY, LockStoreUnavailable, TrackerStoreUnavailable
from bot.rasa_server.tracker_store import DurableSQLTrackerStore
from tests.helpers import run_coroutine
from tests.system import binary, free_port


def make_tracker(sender: str, texts: list):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker(sender, Domain.empty().slots)
    for text in texts:
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def user_texts(tracker) -> list:
    return [e.text for e in tracker.events if e.type_name == "user"]


def test_sqlite_tracker_store_keeps_a_conversation_for_the_next_process(tmp_path):
    from rasa.shared.core.domain import Domain

    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    first = DurableSQLTrackerStore(Domain.empty(), host=url)
    tracker = make_tracker("student", ["hello", "tell me about CRENG"])
    run_coroutine(first.save(tracker))
    run_coroutine(first.save(tracker))  # saving again (a retry) writes nothing twice
    second = DurableSQLTrackerStore(Domain.empty(), host=url)
    again = run_coroutine(second.retrieve("student"))
    assert user_texts(again) == ["hello", "tell me about CRENG"]


def test_a_database_that_comes_back_costs_latency_not_the_message(tmp_path, monkeypatch):
    from rasa.shared.core.domain import Domain

    store = DurableSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
    original, failures = store._save_new_events, []

    def flaky(tracker, persisted=None):
        if len(failures) < 2:
            failures.append(1)
            raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))
        return original(tracker, persisted)

    monkeypatch.setattr(store, "_save_new_events", flaky)
    run_coroutine(store.save(make_tracker("s", ["hello"])))
    assert user_texts(run_coroutine(store.retrieve("s"))) == ["hello"]


def test_a_database_that_stays_away_fails_loudly_within_the_budget(tmp_path, monkeypatch):
    from rasa.shared.core.domain import Domain

    monkeypatch.setenv("STORE_RETRY_SECONDS", "0.5")
    store = DurableSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")

    def down(tracker, persisted=None):
        raise sa.exc.OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(store, "_save_new_events", down)
    with pytest.raises(TrackerStoreUnavailable, match="connection refused"):
        run_coroutine(asyncio.wait_for(store.save(make_tracker("s", ["hello"])), 5))


def test_an_unreachable_database_at_start_up_is_a_clear_error():
    from rasa.shared.exceptions import RasaException

    url = f"postgresql://beu:x@127.0.0.1:{free_port()}/beu_tracker"
    with pytest.raises(RasaException, match=r"tracker store .* unreachable"):
        DurableSQLTrackerStore(None, host=url, startup_wait_seconds=0)


def test_no_silent_in_memory_fallback_and_the_student_is_told(tmp_path):
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.rasa_server.channels.guarded import guarded
    from bot.rasa_server.guard import Guard, RateLimiter
    from bot.rasa_server.patches import install_all

    install_all()
    store = DurableSQLTrackerStore(None, host=f"sqlite:///{tmp_path / 't.db'}")
    assert Agent._create_tracker_store(store, Domain.empty()) is store
    other = InMemoryTrackerStore(Domain.empty())
    assert isinstance(Agent._create_tracker_store(other, Domain.empty()), FailSafeTrackerStore)

    class Down:
        def lock(self, sender):
            raise LockStoreUnavailable("redis://127.0.0.1:1/1: connection refused")

    class Stub:
        lock_store = Down()

        def is_ready(self):
            return True

    agent = Stub()
    handler = guarded(
        lambda message: Agent.handle_message(agent, message), Guard(100, RateLimiter(0))
    )
    output = CollectingOutputChannel()
    assert run_coroutine(handler(UserMessage("hi", output, "s"))) is None  # logged, not raised
    assert [m["text"] for m in output.messages] == [STORE_APOLOGY]


@pytest.mark.parametrize(
    ("store_type", "cause"),
    [
        ("bot.rasa_server.no_such_module.Store", "cannot be imported"),
        ("bot.rasa_server.tracker_store.NoSuchStore", "cannot be imported"),
        ("bot.rasa_server.tracker_store.DurableSQLTrackerStore", "could not be created"),
    ],
)
def test_a_tracker_store_that_cannot_be_loaded_stops_the_server(store_type, cause):
    """Rasa would fall back to an in-memory store (conversations lost at the next restart) with
    only a warning; with the patch table installed the error names the class and the cause."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa_server.patches import install_all
    from bot.rasa_server.patches.store_loading import StoreNotLoadable

    install_all()
    config = EndpointConfig(url="not-a-url", type=store_type)  # the real class refuses the URL
    with pytest.raises(StoreNotLoadable, match=cause):
        TrackerStore.create(config)


@pytest.mark.heavy
def test_locks_survive_a_redis_restart(tmp_path):
    binary("redis-server")
    from rasa.utils.endpoints import EndpointConfig

    redis = LocalRedis(tmp_path, free_port(), "test-password").ensure_running()
    try:
        config = EndpointConfig(
            url="127.0.0.1", port=str(redis.port), password="test-password", db="1"
        )
        lock_store = ResilientRedisLockStore(endpoint_config=config)

        async def scenario():
            async with lock_store.lock("student", lock_lifetime=5):
                await asyncio.to_thread(redis.restart)  # the lock vanishes under our feet
            async with lock_store.lock("student", lock_lifetime=5) as lock:
                return lock.conversation_id

        assert run_coroutine(asyncio.wait_for(scenario(), 20)) == "student"

        async def stale_ticket():  # a replica died holding a ticket: wait for its lifetime only
            lock_store.issue_ticket("other", 1.0)
            async with lock_store.lock("other", lock_lifetime=5):
                return True

        assert run_coroutine(asyncio.wait_for(stale_ticket(), 5))
    finally:
        redis.stop()


@pytest.mark.heavy
@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ({"TRACKER_STORE_URL": "not-a-url"}, "StoreNotLoadable: tracker store"),
    ],
    ids=["tracker-store"],
)
def test_the_rasa_server_refuses_to_start_with_a_store_it_cannot_create(setting, said, tmp_path):
    """The launcher, for real: the process exits non-zero with the cause, before the model
    loads, instead of serving with conversations in memory."""
    import os
    import subprocess
    import sys

    from bot import paths
    from bot.ops.profiles import default_store_env

    env = {**os.environ, **default_store_env(tmp_path / "t.sqlite3"), **setting}
    env.update(PYTHONPATH=str(paths.ROOT), ACTION_SERVER_URL="http://127.0.0.1:1/webhook")
    env.setdefault("ACTION_SERVER_TOKEN", "t" * 32)  # endpoints.yml needs it to load at all
    command = [sys.executable, "-m", "bot.rasa_server.launch", "run", "--model",
               "models/beu.tar.gz", "--endpoints", "endpoints.yml", "--credentials",
               "credentials.yml", "--port", str(free_port())]  # fmt: skip
    result = subprocess.run(
        command, cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode != 0
    assert said in result.stdout + result.stderr
    assert "Rasa server is up and running" not in result.stdout + result.stderr


def test_a_lock_store_that_cannot_be_loaded_is_an_error():
    """Rasa's own loader already refuses it (no silent fallback for lock stores): kept so."""
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    with pytest.raises(Exception, match="Failed to create a `LockStore`"):
        LockStore.create(EndpointConfig(type="bot.rasa_server.no_such.LockStore"))


@pytest.mark.parametrize(
    ("cause", "budget"),
    [
        ("database is locked", 0.3),
        ("canceling statement due to lock timeout", 0.3),
        ("connection refused", 1.0),
    ],
)
def test_a_locked_store_gets_the_shorter_budget_of_the_message(monkeypatch, cause, budget):
    """A store that is away may come back (a restart): STORE_RETRY_SECONDS. A locked one gives
    no sign of when it ends: STORE_LOCKED_SECONDS, counted from the message's arrival."""
    from bot.rasa_server.retry import message_budget, retrying

    monkeypatch.setenv("STORE_RETRY_SECONDS", "1.0")
    monkeypatch.setenv("STORE_LOCKED_SECONDS", "0.3")

    async def failing():
        raise sa.exc.OperationalError("INSERT", {}, Exception(cause))

    async def one_message():
        with message_budget():
            await asyncio.sleep(0.1)  # the message's time before its store call counts too
            start = asyncio.get_running_loop().time()
            with pytest.raises(TrackerStoreUnavailable, match=cause):
                await retrying("saving", failing, lambda e: True, TrackerStoreUnavailable)
            return asyncio.get_running_loop().time() - start

    assert budget - 0.35 < run_coroutine(one_message()) < budget - 0.1 + 0.15
