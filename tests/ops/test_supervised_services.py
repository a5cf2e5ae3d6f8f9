"""The scaled profile's PostgreSQL, Redis and nginx as supervised children (no Rasa: cheap):
each SIGKILLed is restarted and serves again; `kill -9` of the supervisor takes all of them,
PostgreSQL's backends and nginx's workers included."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from bot.ops.health import port_open
from bot.ops.status import read_status
from tests.system import binary, free_port

pytestmark = pytest.mark.heavy  # starts PostgreSQL, Redis and nginx

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bot.ops.services.nginx import Nginx, nginx_conf
    from bot.ops.services.postgres import LocalPostgres
    from bot.ops.services.redis import LocalRedis
    from bot.ops.supervise import Child, supervise

    root, pg_port, redis_port, front = Path(sys.argv[1]), *map(int, sys.argv[2:5])
    postgres = LocalPostgres(root / "postgres", pg_port, durable=False)
    redis = LocalRedis(root / "redis", redis_port, "secret")
    conf = nginx_conf(root / "nginx", front, ["127.0.0.1:9"], ["127.0.0.1:9"], int(sys.argv[5]),
                      "127.0.0.1:9", forwarded_secret="s" * 32)
    nginx = Nginx(root / "nginx", conf)

    def start():
        postgres.ensure_running(foreground=True)
        redis.ensure_running()
        nginx.start()

    def children():
        return [Child("postgres", postgres.spawn, postgres.process, postgres.log),
                Child("redis", redis.spawn, redis.process, redis.log),
                Child("nginx", nginx.start, nginx.process, root / "nginx" / "error.log")]

    def stop():
        nginx.stop(); redis.stop(); postgres.stop()

    sys.exit(supervise("services", start, lambda: "ready", children, stop, profile="services"))
    """
)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def wait_for(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_services_restarted_and_gone_with_the_supervisor():
    # not pytest's tmp_path: PostgreSQL runs as `postgres` when we are root, and needs to reach it
    tmp_path = Path(tempfile.mkdtemp(prefix="beu-supervised-"))
    tmp_path.chmod(0o755)
    for name, package in (("nginx", None), ("redis-server", None)):
        binary(name, package)
    ports = {"postgres": free_port(), "redis": free_port(), "nginx": free_port()}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_RUN_DIR": str(tmp_path / "run")}
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(tmp_path), *map(str, ports.values()),
         str(free_port())],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    status_file = tmp_path / "run" / "services.json"

    def child(name: str) -> dict:
        status = read_status(status_file) or {}
        return next((c for c in status.get("children", []) if c["name"] == name), {})

    everything: list[int] = []
    try:
        assert wait_for(lambda: child("nginx").get("pid"), 120), supervisor.poll()
        for name in ("postgres", "redis", "nginx"):
            old = child(name)["pid"]
            os.kill(old, signal.SIGKILL)
            assert wait_for(
                lambda name=name, old=old: (
                    child(name).get("pid") not in (None, old)
                    and child(name)["state"] == "running"
                    and port_open(ports[name])
                ),
                60,
            ), (name, child(name))
            assert child(name)["last_exit"] == "killed by SIGKILL"
        everything = descendants(supervisor.pid)
        assert len(everything) >= 5  # postgres and its backends, redis, nginx and its workers
        supervisor.kill()
        supervisor.wait()
        assert wait_for(lambda: not any(alive(pid) for pid in everything), 10), [
            Path(f"/proc/{p}/cmdline").read_bytes() for p in everything if alive(p)
        ]
        assert not any(port_open(port) for port in ports.values())
    finally:
        if supervisor.poll() is None:
            supervisor.terminate()
            supervisor.wait(timeout=60)
        for pid in everything:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(tmp_path, ignore_errors=True)
