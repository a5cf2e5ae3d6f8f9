"""The two profiles (bot/profiles.py) and their stores (bot/stores.py).

Fast checks of configuration (endpoints.yml for each profile, nginx.conf, deploy/), the stores
in-process (persistence, bounded retries, no silent in-memory fallback, a Redis that restarts),
and one end-to-end check: a conversation keeps its context across a Rasa restart.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from bot import stores
from bot.profiles import (
    LocalRedis,
    Nginx,
    ScaledPorts,
    ScaledProfile,
    compose_nginx_conf,
    default_store_env,
)
from tests.helpers import run_coroutine
from tests.servers import ask, free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ENDPOINT_VARS = {
    name
    for line in (ROOT / "endpoints.yml").read_text().splitlines()
    if not line.lstrip().startswith("#")
    for name in re.findall(r"\$\{(\w+)\}", line)
}


def read_endpoints(env: dict, monkeypatch) -> dict:
    from rasa.core.utils import AvailableEndpoints

    for key in ENDPOINT_VARS:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return {"tracker": endpoints.tracker_store, "lock": endpoints.lock_store}


def scaled(tmp_path: Path) -> ScaledProfile:
    return ScaledProfile(ports=ScaledPorts(), var_dir=tmp_path / "scaled")


def test_default_profile_keeps_conversations_in_sqlite_and_locks_in_memory(monkeypatch):
    env = {**default_store_env(), "ACTION_SERVER_URL": "http://localhost:5055/webhook"}
    endpoints = read_endpoints(env, monkeypatch)
    assert endpoints["tracker"].type == "bot.stores.DurableSQLTrackerStore"
    assert endpoints["tracker"].url.startswith("sqlite:///")
    assert endpoints["tracker"].url.endswith("var/tracker.sqlite3")
    assert endpoints["lock"].type == "in_memory"


def test_scaled_profile_uses_postgresql_and_redis(monkeypatch, tmp_path):
    profile = scaled(tmp_path)
    endpoints = read_endpoints(profile.env(), monkeypatch)
    assert endpoints["tracker"].url.startswith("postgresql://beu:")
    assert endpoints["tracker"].url.endswith(":5433/beu_tracker")
    assert endpoints["lock"].type == "bot.stores.ResilientRedisLockStore"
    assert endpoints["lock"].kwargs["port"] == "6380"
    assert profile.env()["DATABASE_URL"].endswith(":5433/beu_staff")  # the same server
    # every variable endpoints.yml names is set by each profile
    assert set(profile.env()) >= ENDPOINT_VARS
    assert set(default_store_env()) | {"ACTION_SERVER_URL"} >= ENDPOINT_VARS


def test_passwords_are_generated_locally_and_never_in_tracked_files(tmp_path):
    profile = scaled(tmp_path)
    secrets_file = tmp_path / "scaled" / "secrets.json"
    assert secrets_file.stat().st_mode & 0o077 == 0
    assert scaled(tmp_path).secrets == profile.secrets  # generated once, then reused
    tracked = [ROOT / "endpoints.yml", *DEPLOY.rglob("*")]
    for path in (p for p in tracked if p.is_file()):
        text = path.read_text()
        for secret in profile.secrets.values():
            assert secret not in text
        assert not re.search(r"(?i)password:\s*['\"]?\w{8,}", text), path


def test_nginx_accepts_the_generated_configuration(tmp_path):
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (scripts/system-deps.sh installs it)")
    profile = scaled(tmp_path)
    conf = profile.nginx_conf()
    assert "hash $beu_affinity consistent" in conf  # socket.io sticky
    assert conf.count("server 127.0.0.1:5005") == 2  # in the round-robin and the sticky upstream
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    checked = Nginx(profile.var_dir / "nginx", conf).test()
    assert checked.returncode == 0, checked.stderr


def test_deploy_files_parse_and_match_the_scaled_profile():
    assert (DEPLOY / "nginx.conf").read_text() == compose_nginx_conf(), (
        "regenerate: python -m bot.profiles compose-nginx > deploy/nginx.conf"
    )
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "rasa", "actions", "web", "nginx", "migrate"} <= set(services)
    assert services["rasa"]["deploy"]["replicas"] == 2
    assert services["actions"]["deploy"]["replicas"] == 2
    assert set(services["rasa"]["environment"]) >= ENDPOINT_VARS
    assert list(services["nginx"]["ports"]) == ["8080:8080"]  # the only published port
    kinds = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            kinds[(document["kind"], document["metadata"]["name"])] = document
    assert kinds[("Deployment", "rasa")]["spec"]["replicas"] == 2
    assert kinds[("Deployment", "actions")]["spec"]["replicas"] == 2
    assert ("StatefulSet", "postgres") in kinds and ("Deployment", "redis") in kinds
    rasa = kinds[("Deployment", "rasa")]["spec"]["template"]["spec"]["containers"][0]
    assert {"secretRef": {"name": "beu-secrets"}} in rasa["envFrom"]
    secret = {"TRACKER_STORE_URL", "DATABASE_URL", "REDIS_PASSWORD", "POSTGRES_PASSWORD"}
    assert set(kinds[("ConfigMap", "beu-config")]["data"]) | secret >= ENDPOINT_VARS
    sticky = kinds[("Ingress", "beu-socketio")]["metadata"]["annotations"]
    assert sticky["nginx.ingress.kubernetes.io/affinity"] == "cookie"


# -- the stores, in-process ----------------------------------------------------------------------


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
    first = stores.DurableSQLTrackerStore(Domain.empty(), host=url)
    tracker = make_tracker("student", ["hello", "tell me about CRENG"])
    run_coroutine(first.save(tracker))
    run_coroutine(first.save(tracker))  # saving again (a retry) writes nothing twice
    second = stores.DurableSQLTrackerStore(Domain.empty(), host=url)
    again = run_coroutine(second.retrieve("student"))
    assert user_texts(again) == ["hello", "tell me about CRENG"]


def test_a_database_that_comes_back_costs_latency_not_the_message(tmp_path, monkeypatch):
    from rasa.shared.core.domain import Domain

    store = stores.DurableSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
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
    store = stores.DurableSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")

    def down(tracker, persisted=None):
        raise sa.exc.OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(store, "_save_new_events", down)
    with pytest.raises(stores.TrackerStoreUnavailable, match="connection refused"):
        run_coroutine(asyncio.wait_for(store.save(make_tracker("s", ["hello"])), 5))


def test_an_unreachable_database_at_start_up_is_a_clear_error():
    from rasa.shared.exceptions import RasaException

    url = f"postgresql://beu:x@127.0.0.1:{free_port()}/beu_tracker"
    with pytest.raises(RasaException, match=r"tracker store .* unreachable"):
        stores.DurableSQLTrackerStore(None, host=url, startup_wait_seconds=0)


def test_no_silent_in_memory_fallback_and_the_student_is_told(tmp_path):
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    store = stores.DurableSQLTrackerStore(None, host=f"sqlite:///{tmp_path / 't.db'}")
    assert Agent._create_tracker_store(store, Domain.empty()) is store
    other = InMemoryTrackerStore(Domain.empty())
    assert isinstance(Agent._create_tracker_store(other, Domain.empty()), FailSafeTrackerStore)

    class Down:
        def lock(self, sender):
            raise stores.LockStoreUnavailable("redis://127.0.0.1:1/1: connection refused")

    class Stub:
        lock_store = Down()

        def is_ready(self):
            return True

    output = CollectingOutputChannel()
    with pytest.raises(stores.LockStoreUnavailable):
        run_coroutine(Agent.handle_message(Stub(), UserMessage("hi", output, "s")))
    assert output.messages[0]["text"] == stores.STORE_APOLOGY


def test_locks_survive_a_redis_restart(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (scripts/system-deps.sh installs it)")
    from rasa.utils.endpoints import EndpointConfig

    redis = LocalRedis(tmp_path, free_port(), "test-password").ensure_running()
    try:
        config = EndpointConfig(
            url="127.0.0.1", port=str(redis.port), password="test-password", db="1"
        )
        lock_store = stores.ResilientRedisLockStore(endpoint_config=config)

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


# -- end to end ----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_conversation_continues_after_the_rasa_server_restarts(servers):
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    first = " ".join(m.get("text", "") for m in ask(servers.webhook, sender, "tell me about CRENG"))
    assert "CRENG" in first
    rasa = servers.processes[1]
    assert "bot.launch" in rasa.args
    rasa.send_signal(signal.SIGINT)
    rasa.wait(timeout=30)
    servers.processes.remove(rasa)
    servers.start_rasa()
    servers.wait_ready()
    reply = " ".join(
        m.get("text", "") for m in ask(servers.webhook, sender, "who is the coordinator?")
    )
    assert "Warsaw Polytechnic University" in reply
