"""Start the profiles the soak runs against, on free loopback ports, with data under `root`."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from bot.ops.processes import Servers
from bot.ops.scaled import ScaledPorts, ScaledProfile
from bot.ops.services.front_limits import FrontLimits, Limit
from tests.proc import cpu_seconds, rss_mb
from tests.system import free_port

# Every simulated student comes from 127.0.0.1 and sends again as soon as answered: 50 of them
# are far more than one address may send in production (bot/ops/services/front_limits.py). The
# soak measures the servers, not nginx's 429s, so it raises the limits it would hit (they stay
# in nginx's path); the front-door tests (tests/ops/test_front_door.py) check the 429s.
SOAK_LIMITS = FrontLimits(
    widget=Limit(10_000, "s", 10_000),
    page=Limit(10_000, "s", 10_000),
    rest=Limit(10_000, "s", 10_000),
)
# The same as FRONT_LIMIT_* settings, for a profile started as its own process (the supervisor).
SOAK_LIMITS_ENV = {
    f"FRONT_LIMIT_{name.upper()}": f"{limit.count}r/{limit.unit} burst={limit.burst}"
    for name, limit in (
        ("widget", SOAK_LIMITS.widget),
        ("page", SOAK_LIMITS.page),
        ("rest", SOAK_LIMITS.rest),
    )
    if limit is not None
}


def scaled(
    root: Path,
    replicas: int = 2,
    action_servers: int = 2,
    lock_lifetime: int = 10,
    env: dict[str, str] | None = None,
) -> ScaledProfile:
    """The scaled profile exactly as `make run-scaled` starts it, except: free ports, a fresh
    PostgreSQL cluster and Redis in `root`, fsync off (the data lives for one run), and the
    front door's per-address limits raised for the load from 127.0.0.1 (SOAK_LIMITS)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    ports = ScaledPorts(
        front=free_port(),
        rasa=[free_port() for _ in range(replicas)],
        actions=[free_port() for _ in range(action_servers)],
        actions_lb=free_port(),
        web=free_port(),
        postgres=free_port(),
        redis=free_port(),
    )
    profile = ScaledProfile(
        ports=ports,
        var_dir=root,
        replicas=replicas,
        action_servers=action_servers,
        lock_lifetime=lock_lifetime,
        durable=False,
        extra_env=dict(env or {}),
        limits=SOAK_LIMITS,
    )
    try:
        return profile.start()
    except BaseException:
        profile.stop()
        raise


def default(root: Path) -> Servers:
    """The default profile (`make run`): one Rasa server, one action server, SQLite tracker."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    env = {
        "DATABASE_URL": f"sqlite:///{root / 'staff.sqlite3'}",
        "TRACKER_STORE_URL": f"sqlite:///{root / 'tracker.sqlite3'}",
    }
    servers = Servers(
        free_port(), free_port(), "models/beu.tar.gz", env, log_dir=root / "logs", web_port=None
    )
    try:
        return servers.start()
    except BaseException:
        servers.stop()
        raise


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its children (nginx's workers, PostgreSQL's backends)."""
    total = rss_mb(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += tree_rss_mb(int(child))
    return total


def postgres_pid(profile: ScaledProfile) -> int | None:
    pidfile = profile.postgres.data / "postmaster.pid" if profile.postgres else None
    if pidfile and pidfile.exists():
        return int(pidfile.read_text().split()[0])
    return None


def processes(profile: ScaledProfile) -> dict[str, int]:
    """name → pid of every live server of the scaled profile."""
    found: dict[str, int] = {}
    for index, servers in enumerate(profile.servers):
        for process in servers.processes:
            if process.poll() is None:
                found[f"{profile.role(process)}-{index + 1}"] = process.pid
    for name, helper in (("nginx", profile.nginx), ("redis", profile.redis)):
        if helper and helper.process and helper.process.poll() is None:
            found[name] = helper.process.pid
    pg = postgres_pid(profile)
    if pg:
        found["postgres"] = pg
    return found


def memory(pids: dict[str, int]) -> dict[str, float]:
    return {name: round(tree_rss_mb(pid)) for name, pid in pids.items()}


def cpu(pids: dict[str, int]) -> dict[str, float]:
    out = {}
    for name, pid in pids.items():
        with contextlib.suppress(FileNotFoundError):
            out[name] = cpu_seconds(pid)
    return out


def servers_pids(servers: Servers) -> dict[str, int]:
    names: list[str] = ["actions", "rasa", "web"]
    return {names[i]: p.pid for i, p in enumerate(servers.processes) if p.poll() is None}
