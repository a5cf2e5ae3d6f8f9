"""Run the assistant's processes until Ctrl-C or SIGTERM, restarting any that dies.

A crashed child is started again after a back-off (1 s, doubling up to 30 s; back to 1 s once it
has stayed up for 60 s) while the others keep serving: a dead action server costs the apology
for the calls it held, a dead Rasa server or web app refused connections (behind nginx, the other
replica), never the whole assistant. Each death and restart is printed and counted in the status
file (bot/ops/status.py, `python -m bot status`). A child that dies CRASH_LOOP times within
CRASH_WINDOW_S gets a banner naming it, how it ended and the tail of its log; it keeps being
restarted at the capped back-off rather than abandoned, because the usual causes (a database, a
disk, a port that comes back) clear without anyone touching the supervisor, and the banner has
told the operator already.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.ops.status import HEARTBEAT_S, replace_stale_instance, status_path, write_status

CRASH_LOOP = 5
CRASH_WINDOW_S = 300.0
POLL_S = 0.2


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait before restart number `streak` + 1 of a child that keeps dying."""

    initial_s: float = 1.0
    cap_s: float = 30.0
    stable_after_s: float = 60.0  # up this long: the next crash is a new incident

    def delay(self, streak: int) -> float:
        return min(self.cap_s, self.initial_s * 2**streak)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def log_tail(path: Path | None, lines: int = 20) -> str:
    if not path or not path.exists():
        return "(no log file)"
    with open(path, "rb") as log:
        log.seek(max(0, log.seek(0, os.SEEK_END) - 16384))
        text = log.read().decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Child:
    """One supervised process: how to start it again, where its output goes, what it runs now."""

    name: str
    spawn: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    log: Path | None = None
    started_at: float = field(default_factory=time.time)
    started_mono: float = field(default_factory=time.monotonic)
    restarts: int = 0
    streak: int = 0
    crashes: collections.deque = field(default_factory=collections.deque)
    last_exit: str | None = None
    last_exit_at: float | None = None
    restart_due: float | None = None  # monotonic; set while backing off
    in_crash_loop: bool = False

    @property
    def state(self) -> str:
        if self.restart_due is not None:
            return "crash loop" if self.in_crash_loop else "backing off"
        return "running"

    def as_status(self) -> dict:
        process = self.process
        argv = [str(a) for a in process.args] if process else None  # type: ignore[union-attr]
        return {
            "name": self.name,
            "pid": process.pid if process else None,
            "argv": _resolved_argv(argv, process.pid) if process and argv else None,
            "state": self.state,
            "started_at": self.started_at,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "last_exit_at": self.last_exit_at,
            "next_restart_at": (
                time.time() + self.restart_due - time.monotonic() if self.restart_due else None
            ),
        }


def _resolved_argv(argv: list[str], pid: int) -> list[str]:
    """The argv as /proc shows it (how bot/ops/status.py recognises the process later)."""
    from bot.ops.status import command_line

    return command_line(pid) or argv


def _say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} supervisor: {message}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        status_file: Path,
        profile: str,
        backoff: Backoff = Backoff(),
        crash_loop: int = CRASH_LOOP,
        crash_window_s: float = CRASH_WINDOW_S,
        external: list[str] | None = None,
    ) -> None:
        self.children, self.status_file, self.profile = children, status_file, profile
        self.backoff, self.crash_loop, self.crash_window_s = backoff, crash_loop, crash_window_s
        self.external = external or []
        self.started_at = time.time()
        self._written = 0.0

    def status(self, state: str = "running") -> dict:
        return {
            "profile": self.profile,
            "state": state,
            "supervisor_pid": os.getpid(),
            "supervisor_argv": _resolved_argv(sys.argv, os.getpid()),
            "started_at": self.started_at,
            "updated_at": time.time(),
            "children": [child.as_status() for child in self.children],
            "external": self.external,
        }

    def write(self, state: str = "running") -> None:
        write_status(self.status_file, self.status(state))
        self._written = time.monotonic()

    def _died(self, child: Child, returncode: int) -> None:
        now = time.monotonic()
        uptime = now - child.started_mono
        if uptime >= self.backoff.stable_after_s:
            child.streak, child.in_crash_loop = 0, False
        child.last_exit = describe_exit(returncode)
        child.last_exit_at = time.time()
        child.crashes.append(now)
        while child.crashes and child.crashes[0] < now - self.crash_window_s:
            child.crashes.popleft()
        delay = self.backoff.delay(child.streak)
        child.streak += 1
        child.restart_due = now + delay
        pid = child.process.pid if child.process else "-"
        _say(
            f"{child.name} (pid {pid}) died: {child.last_exit} after {uptime:.0f} s up; "
            f"restart #{child.restarts + 1} in {delay:.0f} s"
        )
        if len(child.crashes) >= self.crash_loop and not child.in_crash_loop:
            child.in_crash_loop = True
            _say(
                f"\n{'=' * 72}\n{child.name} KEEPS FAILING: {len(child.crashes)} deaths in "
                f"{self.crash_window_s:.0f} s, the last one {child.last_exit}. Still restarting "
                f"it every {self.backoff.cap_s:.0f} s at most; the other processes keep serving.\n"
                f"Last lines of {child.log or 'its output'}:\n{log_tail(child.log)}\n{'=' * 72}"
            )

    def _restart(self, child: Child) -> None:
        child.restart_due = None
        child.restarts += 1
        child.started_at, child.started_mono = time.time(), time.monotonic()
        try:
            child.process = child.spawn()
        except (OSError, RuntimeError) as error:  # e.g. nginx -t refused, binary gone
            child.process = None
            _say(f"{child.name} could not be started: {error}")
            self._died(child, 1)
            child.last_exit = f"could not start: {error}"[:300]
            return
        _say(f"{child.name} restarted (pid {child.process.pid}, restart #{child.restarts})")

    def step(self) -> bool:
        """One look at every child; True when something changed."""
        changed = False
        for child in self.children:
            if child.restart_due is not None:
                if time.monotonic() >= child.restart_due:
                    self._restart(child)
                    changed = True
            elif child.process is None or child.process.poll() is not None:
                self._died(child, child.process.returncode if child.process else 1)
                changed = True
        return changed

    def run(self) -> None:
        """Until KeyboardInterrupt (Ctrl-C, or SIGTERM via supervise())."""
        self.write()
        while True:
            changed = self.step()
            if changed or time.monotonic() - self._written >= HEARTBEAT_S:
                self.write()
            time.sleep(POLL_S)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # same clean shutdown as Ctrl-C, so no server is left orphaned


def supervise(
    what: str,
    start: Callable[[], object],
    describe: Callable[[], str],
    children: Callable[[], list[Child]],
    stop: Callable[[], None],
    profile: str = "default",
    external: Callable[[], list[str]] | None = None,
) -> int:
    """Start the servers, say where they are, keep them running until Ctrl-C or SIGTERM (exit
    0); a start that fails exits 1. Whatever happens, every server is stopped."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    path = status_path(profile)
    supervisor: Supervisor | None = None
    owns_status = False  # never remove the file of another, live instance
    try:
        note = replace_stale_instance(path)
        if note:
            print(note, flush=True)
        write_status(path, Supervisor([], path, profile).status("starting"))
        owns_status = True
        start()
        supervisor = Supervisor(children(), path, profile, external=external() if external else [])
        print(describe(), flush=True)
        supervisor.run()
        return 0  # not reached: run() ends by KeyboardInterrupt
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except (RuntimeError, TimeoutError) as error:
        print(f"Could not start {what}: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a 2nd SIGTERM must not cut the stop short
        if supervisor:
            supervisor.write("stopping")
        stop()
        if owns_status:
            path.unlink(missing_ok=True)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
