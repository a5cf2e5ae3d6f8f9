"""The two profiles (bot/ops/profiles.py, bot/ops/scaled.py).

Fast checks of configuration (endpoints.yml for each profile, nginx.conf, deploy/), and one
end-to-end check: a conversation keeps its context across a Rasa restart. The stores themselves
are tested in tests/rasa_server/test_stores.py.
"""

from __future__ import annotations

import re
import signal
import uuid
from pathlib import Path

import pytest
import yaml

from bot.ops.processes import Servers
from bot.ops.profiles import default_store_env
from bot.ops.scaled import ScaledPorts, ScaledProfile
from bot.ops.services.nginx import Nginx, compose_nginx_conf
from tests.servers import ask
from tests.system import binary

ROOT = Path(__file__).resolve().parents[2]
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
    return {
        "tracker": endpoints.tracker_store,
        "lock": endpoints.lock_store,
        "action": endpoints.action,
    }


# What bot/ops/processes.py (Servers._env) adds to the profile's stores for every process.
SERVERS_ENV = {
    "ACTION_SERVER_URL": "http://localhost:5055/webhook",
    "ACTION_SERVER_TOKEN": "t" * 43,
}


def scaled(tmp_path: Path) -> ScaledProfile:
    return ScaledProfile(ports=ScaledPorts(), var_dir=tmp_path / "scaled")


def test_default_profile_keeps_conversations_in_sqlite_and_locks_in_memory(monkeypatch):
    env = {**default_store_env(), **SERVERS_ENV}
    endpoints = read_endpoints(env, monkeypatch)
    assert endpoints["tracker"].type == "bot.rasa_server.tracker_store.DurableSQLTrackerStore"
    assert endpoints["tracker"].url.startswith("sqlite:///")
    assert endpoints["tracker"].url.endswith("var/tracker.sqlite3")
    assert endpoints["lock"].type == "in_memory"


def test_scaled_profile_uses_postgresql_and_redis(monkeypatch, tmp_path):
    profile = scaled(tmp_path)
    endpoints = read_endpoints(profile.env(), monkeypatch)
    assert endpoints["tracker"].url.startswith("postgresql://beu:")
    assert endpoints["tracker"].url.endswith(":5433/beu_tracker")
    assert endpoints["lock"].type == "bot.rasa_server.lock_store.ResilientRedisLockStore"
    assert endpoints["lock"].kwargs["port"] == "6380"
    assert profile.env()["DATABASE_URL"].endswith(":5433/beu_staff")  # the same server
    # every variable endpoints.yml names is set by each profile
    assert set(profile.env()) >= ENDPOINT_VARS
    assert set(default_store_env()) | set(SERVERS_ENV) >= ENDPOINT_VARS
    assert set(Servers(web_port=None)._env()) >= ENDPOINT_VARS


def test_rasa_sends_the_action_server_its_secret(monkeypatch, tmp_path):
    """endpoints.yml puts ACTION_SERVER_TOKEN in a header of every action call; each set of
    run has its own unless one is given, the scaled profile keeps one in secrets.json."""
    profile = scaled(tmp_path)
    token = profile.env()["ACTION_SERVER_TOKEN"]
    assert len(token) >= 32 and scaled(tmp_path).env()["ACTION_SERVER_TOKEN"] == token
    action = read_endpoints(profile.env(), monkeypatch)["action"]
    assert action.headers == {"Authorization": f"Bearer {token}"}
    monkeypatch.delenv("ACTION_SERVER_TOKEN")
    generated = Servers()._env()["ACTION_SERVER_TOKEN"]  # one per run: restarts agree
    assert len(generated) >= 32 and Servers(rasa_port=1)._env()["ACTION_SERVER_TOKEN"] == generated
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "operator-chosen-secret")
    assert Servers()._env()["ACTION_SERVER_TOKEN"] == "operator-chosen-secret"


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


@pytest.mark.heavy
def test_nginx_accepts_the_generated_configuration(tmp_path):
    binary("nginx")
    profile = scaled(tmp_path)
    conf = profile.nginx_conf()
    assert "hash $beu_affinity consistent" in conf  # socket.io sticky
    assert conf.count("server 127.0.0.1:5005") == 2  # in the round-robin and the sticky upstream
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    checked = Nginx(profile.var_dir / "nginx", conf).test()
    assert checked.returncode == 0, checked.stderr


def test_deploy_files_parse_and_match_the_scaled_profile():
    assert (DEPLOY / "nginx.conf").read_text() == compose_nginx_conf(), (
        "regenerate: python -m bot.ops.services.nginx compose > deploy/nginx.conf"
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
    secret |= {"ACTION_SERVER_TOKEN"}  # named in the `kubectl create secret` of config.yaml
    assert "ACTION_SERVER_TOKEN=" in (DEPLOY / "k8s" / "config.yaml").read_text()
    assert set(kinds[("ConfigMap", "beu-config")]["data"]) | secret >= ENDPOINT_VARS
    # only Rasa reaches the action servers: a NetworkPolicy, and an internal compose network
    policy = kinds[("NetworkPolicy", "actions-from-rasa-only")]["spec"]
    assert policy["podSelector"] == {"matchLabels": {"app": "actions"}}
    assert policy["ingress"] == [
        {"from": [{"podSelector": {"matchLabels": {"app": "rasa"}}}],
         "ports": [{"protocol": "TCP", "port": 5055}]}
    ]  # fmt: skip
    assert compose["networks"]["actions"] == {"internal": True}
    assert services["actions"]["networks"] == ["actions"]
    on_actions = {name for name, s in services.items() if "actions" in s.get("networks", [])}
    assert on_actions == {"actions", "rasa", "nginx", "postgres"}
    sticky = kinds[("Ingress", "beu-socketio")]["metadata"]["annotations"]
    assert sticky["nginx.ingress.kubernetes.io/affinity"] == "cookie"


# -- end to end ----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_conversation_continues_after_the_rasa_server_restarts(servers):
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    first = " ".join(m.get("text", "") for m in ask(servers.webhook, sender, "tell me about CRENG"))
    assert "CRENG" in first
    rasa = next(p for p in servers.processes if "bot.rasa_server.launch" in p.args)
    rasa.send_signal(signal.SIGINT)
    rasa.wait(timeout=30)
    servers.processes.remove(rasa)
    servers.start_rasa()
    servers.wait_ready()
    reply = " ".join(
        m.get("text", "") for m in ask(servers.webhook, sender, "who is the coordinator?")
    )
    assert "Warsaw Polytechnic University" in reply


def test_every_module_and_class_path_the_configuration_names_exists():
    """config.yml, endpoints.yml, credentials.yml, the profiles and deploy/ name our code by
    module or class path: a move that forgets one fails here, not at deployment."""
    import importlib.util

    from rasa.shared.utils.common import class_from_module_path

    texts = [
        (ROOT / name).read_text()
        for name in ("config.yml", "endpoints.yml", "credentials.yml", "Makefile")
    ]
    texts += [p.read_text() for p in DEPLOY.rglob("*") if p.is_file()]
    texts += [(ROOT / "bot" / "ops" / "scaled.py").read_text()]
    text = "\n".join(texts)
    classes = set(re.findall(r"\b(bot(?:\.\w+)+\.[A-Z]\w+)", text))
    modules = set(re.findall(r"-m[\"', ]+(bot(?:\.\w+)*)", text))
    assert len(classes) >= 8 and {"bot.rasa_server.launch", "bot.action_server"} <= modules
    for path in sorted(classes):
        assert class_from_module_path(path), path
    for module in sorted(modules):
        assert importlib.util.find_spec(module) is not None, module
