"""The front door's configuration: per-address limits from the environment, the signed client
address in every proxied request, and deploy/ saying the same (nginx itself: test_front_door)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.ops.scaled import ScaledPorts, ScaledProfile
from bot.ops.services.front_limits import FrontLimits, Limit
from bot.ops.services.nginx import compose_nginx_conf, nginx_conf, proxy_headers
from tests.system import binary

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SECRET = "a-secret-of-32-characters-000000"


def profile(tmp_path: Path, **kwargs: object) -> ScaledProfile:
    ports = ScaledPorts(front=18080, rasa=[18005], actions=[18055], actions_lb=18050, web=18001)
    return ScaledProfile(ports=ports, var_dir=tmp_path, replicas=1, action_servers=1, **kwargs)


def test_limits_are_read_from_the_environment():
    limits = FrontLimits.from_env(
        {"FRONT_LIMIT_REST": "7r/s burst=3", "FRONT_LIMIT_LOGIN": "2r/m  burst=0 ", "X": "1"}
    )
    assert limits.rest == Limit(7, "s", 3) and limits.login == Limit(2, "m", 0)
    assert limits.login.retry_after_seconds == 30 and limits.rest.retry_after_seconds == 1
    assert limits.widget == FrontLimits().widget  # the rest keep their defaults
    assert FrontLimits.from_env({"FRONT_LIMIT_WIDGET": "off"}).widget is None


@pytest.mark.parametrize("bad", ["7/s burst=3", "7r/h burst=3", "0r/s burst=1", "7r/s", "lots"])
def test_a_malformed_limit_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="FRONT_LIMIT_REST"):
        FrontLimits.from_env({"FRONT_LIMIT_REST": bad})


def test_the_generated_configuration_carries_the_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONT_LIMIT_REST", "7r/s burst=3")
    monkeypatch.setenv("FRONT_LIMIT_WIDGET", "off")
    conf = profile(tmp_path).nginx_conf()
    assert "limit_req_zone $rest_limit_key zone=rest:10m rate=7r/s;" in conf
    assert "limit_req zone=rest burst=3 nodelay;" in conf
    assert "zone=widget" not in conf
    assert "limit_req zone=login burst=10 nodelay;" in conf  # the shipped default
    assert "limit_req_status 429;" in conf


def test_every_proxied_request_carries_the_signed_client_address(tmp_path):
    scaled = profile(tmp_path)
    conf = scaled.nginx_conf()
    signed = f'for="$remote_addr";proto=$scheme;secret={scaled.forwarded_secret}\''
    front = conf[: conf.index("# The action servers")]
    # server-wide, and again in the one location that sets headers of its own (socket.io)
    assert front.count(signed) == 2
    assert front.count("proxy_set_header X-Forwarded-For $remote_addr;") == 2
    assert "$proxy_add_x_forwarded_for" not in conf  # nothing a client claims is passed on
    assert scaled.env()["SANIC_FORWARDED_SECRET"] == scaled.forwarded_secret
    assert profile(tmp_path).forwarded_secret != scaled.forwarded_secret  # new every run


@pytest.mark.parametrize("secret", ["short", "has'quote-0123456789", "semi;colon-0123456789"])
def test_a_secret_that_could_break_the_header_is_refused(secret):
    with pytest.raises(ValueError):
        proxy_headers(secret)
    with pytest.raises(ValueError):
        nginx_conf("/tmp/x", 1, ["a:1"], ["b:2"], 3, "c:4", forwarded_secret=secret)


def test_compose_fills_in_only_the_secret(monkeypatch):
    envsubst = binary("envsubst", "gettext-base")
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "FORWARDED_SECRET" in services["nginx"]["environment"]
    assert "SANIC_FORWARDED_SECRET" in services["web"]["environment"]
    command = services["nginx"]["command"][-1].replace("$$", "$")
    shell_format = re.search(r"envsubst '([^']+)'", command).group(1)
    filled = subprocess.run(
        [envsubst, shell_format],
        input=(DEPLOY / "nginx.conf").read_text(),
        capture_output=True,
        text=True,
        env={**os.environ, "FORWARDED_SECRET": "a-secret-of-32-characters-000000"},
        check=True,
    ).stdout
    expected = compose_nginx_conf().replace(
        "${FORWARDED_SECRET}", "a-secret-of-32-characters-000000"
    )
    assert filled == expected  # every nginx $variable left alone


def test_the_kubernetes_ingress_limits_match_the_shipped_ones():
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "ingress.yaml").read_text())
    ingresses = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Ingress"}
    shipped = FrontLimits()
    for name, limit in [
        ("beu", shipped.page),
        ("beu-admin-login", shipped.login),
        ("beu-rest", shipped.rest),
        ("beu-messenger", shipped.messenger),
        ("beu-socketio", shipped.widget),
    ]:
        notes = ingresses[name]["metadata"]["annotations"]
        prefix = "nginx.ingress.kubernetes.io/"
        per = "rpm" if limit.unit == "m" else "rps"
        assert int(notes[f"{prefix}limit-{per}"]) == limit.count, name
        burst = limit.count * int(notes[f"{prefix}limit-burst-multiplier"])
        assert burst == limit.burst, name
    policy = yaml.safe_load_all((DEPLOY / "k8s" / "ingress.yaml").read_text())
    web_only = next(d for d in policy if d["kind"] == "NetworkPolicy")
    assert web_only["spec"]["podSelector"] == {"matchLabels": {"app": "web"}}
