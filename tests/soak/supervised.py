"""`make soak`'s supervised drills: under load, every child of a profile killed in turn
(SIGKILL) through the real supervisor (`python -m bot serve`, bot/ops/supervise.py), which
must restart it while the others keep serving.

    python -m tests.soak.run --only supervised-default,supervised-scaled [--users 10]

Per kill: what it cost the students (failed messages, apologies; bot's fault_cost), how long
until the supervisor had the child back and listening (`back_s`), and whether the tracker store
holds exactly what was acknowledged (lost events).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.ops.health import port_open
from bot.ops.scaled import ScaledPorts, ScaledProfile
from bot.ops.status import read_status
from tests.soak import stack
from tests.soak.load import LoadResult, check_tracker, run_load, timeline
from tests.system import free_port

ROOT = Path(__file__).resolve().parents[2]
DRILLS = {
    "default": ["actions", "web", "rasa"],
    "scaled": ["actions-2", "rasa-2", "web", "nginx", "redis", "postgres"],
}
START_TIMEOUT_S = 600
BACK_TIMEOUT_S = 300


class Supervised:
    """`python -m bot serve` for `profile` on free ports, its data under `root`."""

    def __init__(self, profile: str, root: Path) -> None:
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        self.profile, self.root = profile, root
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PROFILE": profile,
            "BOT_RUN_DIR": str(root / "run"),
            "BOT_LOG_DIR": str(root / "logs"),
        }
        if profile == "default":
            self.ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
            self.tracker_url = f"sqlite:///{root / 'tracker.sqlite3'}"
            self.env |= {
                "DATABASE_URL": f"sqlite:///{root / 'staff.sqlite3'}",
                "TRACKER_STORE_URL": self.tracker_url,
            }
            self.webhook = f"http://127.0.0.1:{self.ports['rasa']}/webhooks/rest/webhook"
            self.args = [
                "--rasa-port", str(self.ports["rasa"]), "--action-port",
                str(self.ports["actions"]), "--web-port", str(self.ports["web"]),
            ]  # fmt: skip
        else:
            ports = ScaledPorts(
                front=free_port(), rasa=[free_port(), free_port()],
                actions=[free_port(), free_port()], actions_lb=free_port(), web=free_port(),
                postgres=free_port(), redis=free_port(),
            )  # fmt: skip
            self.env |= {
                **stack.SOAK_LIMITS_ENV,  # the load comes from one address: not a flood
                "SCALED_VAR_DIR": str(root / "scaled"),
                "FRONT_PORT": str(ports.front),
                "RASA_PORTS": ",".join(map(str, ports.rasa)),
                "ACTION_PORTS": ",".join(map(str, ports.actions)),
                "ACTIONS_LB_PORT": str(ports.actions_lb),
                "WEB_PORT": str(ports.web),
                "PG_PORT": str(ports.postgres),
                "REDIS_LOCAL_PORT": str(ports.redis),
            }
            # the same secrets file the supervised run will read: for the tracker's URL
            urls = ScaledProfile(ports=ports, var_dir=root / "scaled")
            self.tracker_url, self.webhook = urls.tracker_url, urls.webhook
            self.ports = {
                **{f"rasa-{i + 1}": p for i, p in enumerate(ports.rasa)},
                **{f"actions-{i + 1}": p for i, p in enumerate(ports.actions)},
                "web": ports.web,
                "nginx": ports.front,
                "redis": ports.redis,
                "postgres": ports.postgres,
            }
            self.args = []
        self.process: subprocess.Popen | None = None

    def status(self) -> dict:
        return read_status(self.root / "run" / f"{self.profile}.json") or {}

    def child(self, name: str) -> dict:
        return next(c for c in self.status().get("children", []) if c["name"] == name)

    def start(self) -> float:
        began = time.monotonic()
        log = open(self.root / "supervisor.log", "ab")  # noqa: SIM115 (lives with the process)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", *self.args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        while self.status().get("state") != "running":
            if self.process.poll() is not None or time.monotonic() - began > START_TIMEOUT_S:
                tail = (self.root / "supervisor.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the supervised {self.profile} profile did not start:\n{tail}")
            time.sleep(0.5)
        return time.monotonic() - began

    def back(self, name: str, old_pid: int) -> bool:
        child = self.child(name)
        return (
            child["pid"] != old_pid and child["state"] == "running" and port_open(self.ports[name])
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def _kill_under_load(
    supervised: Supervised, name: str, users: int, duration: float, fault_at: float
) -> tuple[LoadResult, float, float | None]:
    load = asyncio.create_task(
        run_load(supervised.webhook, users, duration, f"kill {name}", timeout=20)
    )
    await asyncio.sleep(fault_at)
    old = supervised.child(name)["pid"]
    os.kill(old, signal.SIGKILL)
    killed = time.monotonic()
    fault_wall = time.time()
    back = None
    while time.monotonic() - killed < BACK_TIMEOUT_S:
        if await asyncio.to_thread(supervised.back, name, old):
            back = time.monotonic() - killed
            break
        await asyncio.sleep(0.2)
    result = await load
    return result, fault_wall - result.started_at, back  # type: ignore[attr-defined]


def drills(
    profile: str,
    root: Path,
    users: int,
    duration: float,
    fault_at: float,
    fault_cost,  # tests.soak.run.fault_cost (passed in: run.py imports this module)
    print_row,
) -> dict:
    print(f"== supervised {profile} profile: kill each child in turn under load", flush=True)
    supervised = Supervised(profile, root)
    figures: dict[str, object] = {}
    try:
        figures["startup_s"] = round(supervised.start(), 1)
        warm = asyncio.run(run_load(supervised.webhook, users, 15.0, "warm-up / baseline"))
        baseline = warm.summary()
        figures["baseline"] = {k: baseline[k] for k in ("messages", "p95_ms", "p99_ms", "errors")}
        for name in DRILLS[profile]:
            # long enough to see the students recover: a restart may take a cold start
            phase = max(duration, fault_at + figures["startup_s"] + 10)  # type: ignore[operator]
            result, fault_t, back = asyncio.run(
                _kill_under_load(supervised, name, users, phase, fault_at)
            )
            check_tracker(result, supervised.tracker_url)
            summary = result.summary()
            summary["cost"] = fault_cost(result, fault_t, baseline, 10)
            summary["back_s"] = round(back, 1) if back is not None else None
            summary["restarts"] = supervised.child(name)["restarts"]
            summary["last_exit"] = supervised.child(name)["last_exit"]
            summary["timeline"] = timeline(result)
            figures[name] = summary
            print_row(summary)
            cost = summary["cost"]
            print(
                f"    back after {summary['back_s']} s; failed {cost['failed_messages']} "
                f"{cost['failed_by_kind']}, apologies {cost['action_apologies']}, students' "
                f"recovery {cost['seconds_to_recover']} s",
                flush=True,
            )
            if back is None:
                raise RuntimeError(f"{name} was not restarted within {BACK_TIMEOUT_S} s")
            if name.startswith("rasa"):  # the next drill starts with a warm replica
                asyncio.run(run_load(supervised.webhook, 2, 5.0, "re-warm"))
    finally:
        supervised.stop()
    return figures
