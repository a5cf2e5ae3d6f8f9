"""What the supervisor is running, for operators: the status file it keeps up to date
(var/run/<profile>.json, written atomically), `python -m bot status` that reads it, and the check
a new start makes for an instance an earlier run left behind.

The file lists the supervisor's pid and, per child, its role, pid, command line, start time,
restarts and last exit. A reader can therefore tell "running" (supervisor alive, file fresh),
"stale" (supervisor gone, or file not refreshed for STALE_AFTER_S) and "not running" (no file).
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from bot import paths

HEARTBEAT_S = 2.0  # the supervisor rewrites the file at least this often
STALE_AFTER_S = 15.0  # older than this while the supervisor "lives": it hangs


def run_dir() -> Path:
    """BOT_RUN_DIR, else var/run (tests point it at a temporary directory)."""
    return Path(os.environ.get("BOT_RUN_DIR") or paths.VAR / "run")


def status_path(profile: str) -> Path:
    return run_dir() / f"{profile}.json"


def write_status(path: Path, status: dict) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(status, indent=1))
    os.replace(temporary, path)


def read_status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as error:  # not ours or truncated by hand: say so, don't crash
        return {"unreadable": str(error)}


def command_line(pid: int) -> list[str] | None:
    """The live process's argv, None when there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part] or None


def is_same_process(pid: int | None, argv: list[str] | None) -> bool:
    """`pid` is alive and still runs `argv` (a recycled pid runs something else)."""
    if not pid or not argv:
        return False
    return command_line(pid) == argv


def leftover_children(status: dict) -> list[dict]:
    """Children of a dead supervisor that are still running exactly what it started."""
    return [c for c in status.get("children", []) if is_same_process(c.get("pid"), c.get("argv"))]


def supervisor_alive(status: dict) -> bool:
    return is_same_process(status.get("supervisor_pid"), status.get("supervisor_argv"))


def replace_stale_instance(path: Path, grace_s: float = 10.0) -> str | None:
    """Before a start: refuse when the profile runs already; stop what a dead supervisor left.

    Returns what was done (for the console), None when there was nothing to do. Raises
    RuntimeError when a live supervisor runs this profile."""
    status = read_status(path)
    if not status or "unreadable" in status:
        return None
    if supervisor_alive(status):
        raise RuntimeError(
            f"this profile is already running (supervisor pid {status['supervisor_pid']}); "
            f"`python -m bot status` shows it, `kill {status['supervisor_pid']}` stops it"
        )
    leftovers = leftover_children(status)
    for child in leftovers:
        os.kill(child["pid"], signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(
        is_same_process(c["pid"], c["argv"]) for c in leftovers
    ):
        time.sleep(0.2)
    for child in leftovers:
        if is_same_process(child["pid"], child["argv"]):
            os.kill(child["pid"], signal.SIGKILL)
    path.unlink(missing_ok=True)
    if not leftovers:
        return (
            f"note: an earlier run (supervisor pid {status.get('supervisor_pid')}) ended "
            "uncleanly; nothing of it is left"
        )
    names = ", ".join(f"{c['name']} (pid {c['pid']})" for c in leftovers)
    return (
        f"replaced a stale instance: supervisor pid {status.get('supervisor_pid')} is gone, "
        f"its {names} were still running and have been stopped"
    )


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def describe_status(profile: str, path: Path, now: float | None = None) -> tuple[int, str]:
    """(exit code, text) for `python -m bot status`: 0 running, 1 stale, 3 not running
    (the LSB codes systemctl uses)."""
    now = time.time() if now is None else now
    status = read_status(path)
    if status is None:
        return 3, f"{profile}: not running (no status file {path})"
    if "unreadable" in status:
        return 1, f"{profile}: stale - status file {path} is unreadable: {status['unreadable']}"
    age = now - status.get("updated_at", 0)
    lines: list[str] = []
    if not supervisor_alive(status):
        left = leftover_children(status)
        state = (
            f"stale - the supervisor (pid {status.get('supervisor_pid')}) is gone, last update "
            f"{_ago(age)} ago; "
            + (
                f"still running without it: {', '.join(c['name'] for c in left)} "
                "(the next start stops them)"
                if left
                else "none of its processes is left"
            )
        )
        code = 1
    elif status.get("state") in ("starting", "stopping"):  # not rewritten while it waits
        since = _ago(now - status.get("updated_at", now))
        state = f"{status['state']} (supervisor pid {status['supervisor_pid']}, for {since})"
        code = 0
    elif age > STALE_AFTER_S:
        state = (
            f"stale - the supervisor (pid {status['supervisor_pid']}) has not updated the "
            f"file for {_ago(age)}: hung?"
        )
        code = 1
    else:
        up = _ago(now - status.get("started_at", now))
        state = (
            f"{status.get('state', 'running')} (supervisor pid {status['supervisor_pid']}, up {up})"
        )
        code = 0
    lines.append(f"{profile}: {state}")
    header = ("process", "pid", "state", "uptime", "restarts")
    lines.append("  {:12s} {:>7s} {:12s} {:>8s} {:>8s}  last exit".format(*header))
    for child in status.get("children", []):
        alive = is_same_process(child.get("pid"), child.get("argv"))
        uptime = now - child["started_at"] if alive and child.get("started_at") else None
        last = child.get("last_exit") or "-"
        if child.get("last_exit_at"):
            last += f" ({_ago(now - child['last_exit_at'])} ago)"
        child_state = child.get("state", "running") if alive else "down"
        if child.get("state") == "backing off" and not alive:
            child_state = "backing off"
        lines.append(
            f"  {child['name']:12s} {child.get('pid') or '-':>7} {child_state:12s} "
            f"{_ago(uptime):>8s} {child.get('restarts', 0):>8d}  {last}"
        )
    for note in status.get("external", []):
        lines.append(f"  {note}")
    return code, "\n".join(lines)


def status_command(profile: str) -> int:
    code, text = describe_status(profile, status_path(profile))
    print(text)
    return code
