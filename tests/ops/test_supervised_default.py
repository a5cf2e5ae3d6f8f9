"""The default profile through the real supervisor (`python -m bot serve`, free ports): under
light load, kill -9 the action server, then the web app, then Rasa; then kill -9 the supervisor.

One start for the whole drill (the budget: a supervised start is ~20-30 s). Students always get
a reply while the action server is down (the apology); each killed process answers again within
the back-off plus its own cold start, measured by this test at the supervised start, and
correct answers follow at once. Killing the supervisor takes every child with it within
Sanic's graceful shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.ops.status import read_status
from tests.servers import LOGS, fresh_sqlite
from tests.system import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
QUESTION, ANSWER = "Who coordinates PROMIG?", "Tbilisi"
APOLOGY = "Sorry, I can't look that up right now"
BACKOFF_S = 1.0  # the supervisor's first restart delay (bot/ops/supervise.py Backoff)
COLD_START_MARGIN = 1.5
ANSWER_SLACK_S = 3.0
# PR_SET_PDEATHSIG sends SIGTERM: Sanic lets requests in flight finish for up to its
# graceful_shutdown_timeout (15 s by default) before the process exits.
GRACEFUL_S = 15.0  # a student's next question after the child answers its health check


@dataclass
class Load:
    """Two students asking a question that needs the action server, over and over."""

    webhook: str
    replies: list[tuple[float, float, str]] = field(default_factory=list)  # start, end, outcome
    stopped: threading.Event = field(default_factory=threading.Event)

    def ask(self) -> str:
        body = json.dumps({"sender": f"sup-{uuid.uuid4().hex[:8]}", "message": QUESTION})
        request = urllib.request.Request(
            self.webhook, body.encode(), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                text = " ".join(m.get("text", "") for m in json.loads(response.read() or b"[]"))
        except (OSError, urllib.error.URLError):
            return "refused"
        if ANSWER in text:
            return "ok"
        return "apology" if text.startswith(APOLOGY) else f"other: {text[:80]}"

    def student(self) -> None:
        while not self.stopped.is_set():
            start = time.monotonic()
            outcome = self.ask()
            self.replies.append((start, time.monotonic(), outcome))
            time.sleep(0.2 if outcome == "ok" else 0.1)

    def since(self, moment: float) -> list[tuple[float, float, str]]:
        return [r for r in list(self.replies) if r[0] >= moment]

    def first_ok_after(self, moment: float, timeout: float) -> float | None:
        deadline = moment + timeout
        while time.monotonic() < deadline:
            for _start, end, outcome in self.since(moment):
                if outcome == "ok":
                    return end - moment
            time.sleep(0.1)
        return None


def status(run_dir: Path) -> dict:
    return read_status(run_dir / "default.json") or {}


def child(run_dir: Path, name: str) -> dict:
    return next(c for c in status(run_dir).get("children", []) if c["name"] == name)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait(check, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def since(moment: float, check, timeout: float) -> float | None:
    """Seconds from `moment` until `check()` first holds (polled), None after `timeout`."""
    while time.monotonic() - moment < timeout:
        if check():
            return time.monotonic() - moment
        time.sleep(0.1)
    return None


def kill(run_dir: Path, name: str) -> tuple[int, float]:
    pid = child(run_dir, name)["pid"]
    os.kill(pid, signal.SIGKILL)
    return pid, time.monotonic()


def restarted(run_dir: Path, name: str, old_pid: int) -> bool:
    now = child(run_dir, name)
    return now["pid"] != old_pid and now["state"] == "running" and now["restarts"] >= 1


def test_each_child_killed_in_turn_then_the_supervisor(tmp_path):
    run_dir, logs = tmp_path / "run", LOGS / "supervised"
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PROFILE": "default",
        "BOT_RUN_DIR": str(run_dir),
        "BOT_LOG_DIR": str(logs),
        "DATABASE_URL": f"sqlite:///{fresh_sqlite('supervised', 'staff.sqlite3')}",
        "TRACKER_STORE_URL": f"sqlite:///{fresh_sqlite('supervised', 'tracker.sqlite3')}",
    }
    launched = time.monotonic()
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--rasa-port", str(rasa_port),
         "--action-port", str(action_port), "--web-port", str(web_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(supervisor.stdout), daemon=True).start()
    load = Load(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook")
    students = [threading.Thread(target=load.student, daemon=True) for _ in range(2)]
    pids: list[int] = []
    try:
        health = {
            "actions": f"http://127.0.0.1:{action_port}/health",
            "web": f"http://127.0.0.1:{web_port}/health",
            "rasa": f"http://127.0.0.1:{rasa_port}/",
        }
        # Each process's cold start, measured: from launch until it answers its health check
        # (the three load at once, so each figure is an upper bound of its start alone).
        cold: dict[str, float] = {}
        while status(run_dir).get("state") != "running" or len(cold) < len(health):
            assert time.monotonic() - launched < 300, "".join(output)
            for name, url in health.items():
                if name not in cold and http_ok(url):
                    cold[name] = time.monotonic() - launched
            time.sleep(0.2)
        cold_start = time.monotonic() - launched
        pids = [c["pid"] for c in status(run_dir)["children"]]
        for student in students:
            student.start()
        assert load.first_ok_after(time.monotonic(), 30) is not None, load.replies[-5:]

        # Each restarted child answers again within the back-off plus its own measured cold
        # start (the margin covers the other pytest worker), and correct answers follow at
        # once. On a quiet machine the action server and the web app are back well within the
        # issue's 15 s (figures in docs/operations.md).
        def bound(name: str) -> float:
            return BACKOFF_S + COLD_START_MARGIN * cold[name]

        figures: dict[str, dict[str, float]] = {}

        def back(name: str, old: int, killed: float, answers: bool = True) -> None:
            """`name` answers its health check again, restarted by the supervisor, and (when
            students' answers depend on it) correct answers follow at once."""
            ready = since(killed, lambda: http_ok(health[name]), bound(name) + 5)
            assert ready is not None and ready <= bound(name), (name, ready, cold)
            assert wait(lambda: restarted(run_dir, name, old), 5)
            assert child(run_dir, name)["last_exit"] == "killed by SIGKILL"
            figures[name] = {"ready_s": round(ready, 1)}
            if not answers:
                return
            correct = load.first_ok_after(killed, ready + 10)
            assert correct is not None, load.since(killed)[-5:]
            assert correct <= ready + ANSWER_SLACK_S, (name, correct, ready)
            figures[name]["correct_s"] = round(correct, 1)

        # 1. the action server, and while it restarts the web app (in turn, not waiting for
        # the first to come back: a Rasa start less in the budget): a reply to every message,
        # the apology while the action server is down
        old_actions, actions_killed = kill(run_dir, "actions")
        time.sleep(1.0)
        old_web, web_killed = kill(run_dir, "web")
        back("web", old_web, web_killed, answers=False)  # REST does not pass through it
        back("actions", old_actions, actions_killed)
        during = load.since(actions_killed)
        assert all(o in ("ok", "apology") for _, _, o in during), during
        assert any(o == "apology" for _, _, o in during)
        # 2. Rasa: refused while down (nothing else can answer REST in this profile)
        old_rasa, rasa_killed = kill(run_dir, "rasa")
        back("rasa", old_rasa, rasa_killed)
        assert [c["restarts"] for c in status(run_dir)["children"]] == [1, 1, 1]
        shown = subprocess.run(
            [sys.executable, "-m", "bot", "status"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert shown.returncode == 0, shown.stdout + shown.stderr
        assert shown.stdout.count("killed by SIGKILL") == 3

        # 4. kill -9 the supervisor: every child goes with it
        pids = [c["pid"] for c in status(run_dir)["children"]]
        supervisor.kill()
        supervisor.wait()
        gone = wait(lambda: not any(alive(pid) for pid in pids), GRACEFUL_S + 2)
        assert gone is not None, [p for p in pids if alive(p)]
        shown = subprocess.run(
            [sys.executable, "-m", "bot", "status"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert shown.returncode == 1 and "stale" in shown.stdout, shown.stdout
        print(
            f"cold start {cold_start:.1f} s ({json.dumps(cold)}); after the kill: "
            f"{json.dumps(figures)}; children "
            f"gone {gone:.1f} s after the supervisor's kill -9; load "
            f"{os.getloadavg()[0]:.1f}; replies "
            f"{len(load.replies)}: "
            + json.dumps(
                {o: sum(r[2] == o for r in load.replies) for o in {r[2] for r in load.replies}}
            )
        )
    finally:
        load.stopped.set()
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)
            try:
                supervisor.wait(timeout=30)
            except subprocess.TimeoutExpired:
                supervisor.kill()
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
