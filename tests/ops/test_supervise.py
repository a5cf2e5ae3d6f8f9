"""The supervisor's restart, back-off, crash-loop, status and stale-instance logic, with tiny
real child processes (`python -c` sleepers and crashers): cheap, so not `heavy`."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.ops.health import port_open, refuse_taken_ports
from bot.ops.lifeline import die_with_parent
from bot.ops.status import describe_status, read_status, replace_stale_instance
from bot.ops.supervise import Backoff, Child, Supervisor, describe_exit

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie of ours is dead too
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"


def wait_for(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def spawner(argv: list[str], log: Path | None = None):
    def spawn() -> subprocess.Popen:
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)

    return spawn


def run_until(supervisor: Supervisor, check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.step()
        if check():
            return True
        time.sleep(0.02)
    return False


def test_backoff_doubles_to_its_cap():
    backoff = Backoff(initial_s=1, cap_s=30)
    assert [backoff.delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_exit_descriptions():
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"


def test_a_killed_child_is_restarted_while_the_other_keeps_running(tmp_path, capsys):
    status_file = tmp_path / "run" / "t.json"
    children = [Child(name, spawner(SLEEPER)) for name in ("rasa", "actions")]
    for child in children:
        child.process = child.spawn()
    supervisor = Supervisor(children, status_file, "t", backoff=Backoff(0.2, 1.0, 60))
    try:
        rasa, actions = children
        first_rasa, actions_pid = rasa.process.pid, actions.process.pid
        os.kill(first_rasa, signal.SIGKILL)
        killed = time.monotonic()
        assert run_until(supervisor, lambda: rasa.process.pid != first_rasa)
        assert time.monotonic() - killed >= 0.2  # waited for the back-off
        assert alive(rasa.process.pid) and actions.process.pid == actions_pid
        assert (rasa.restarts, actions.restarts) == (1, 0)
        assert rasa.last_exit == "killed by SIGKILL"
        assert "rasa (pid" in capsys.readouterr().err

        supervisor.write()
        status = read_status(status_file)
        assert status["supervisor_pid"] == os.getpid()
        by_name = {c["name"]: c for c in status["children"]}
        assert by_name["rasa"]["pid"] == rasa.process.pid
        assert by_name["rasa"]["restarts"] == 1
        code, text = describe_status("t", status_file)
        assert code == 0, text
        assert "killed by SIGKILL" in text and "actions" in text
    finally:
        for child in children:
            child.process.kill()
            child.process.wait()


def test_a_crash_loop_backs_off_and_names_the_process_and_its_output(tmp_path, capsys):
    log = tmp_path / "web.log"
    crash = "import sys; print('cannot open the staff database'); sys.exit(3)"
    crasher = [sys.executable, "-c", crash]
    child = Child("web", spawner(crasher, log), log=log)
    child.process = child.spawn()
    backoff = Backoff(initial_s=0.05, cap_s=0.4, stable_after_s=60)
    supervisor = Supervisor([child], tmp_path / "t.json", "t", backoff=backoff, crash_loop=4)
    restart_times: list[float] = []
    previous = child.process.pid

    def restarted() -> bool:
        nonlocal previous
        if child.process and child.process.pid != previous:
            previous = child.process.pid
            restart_times.append(time.monotonic())
        return len(restart_times) >= 5

    assert run_until(supervisor, restarted, timeout=20)
    gaps = [b - a for a, b in itertools.pairwise(restart_times)]
    assert gaps[-1] >= 0.4 * 0.9  # reached the cap
    assert gaps[0] < gaps[-1]  # and grew to it
    err = capsys.readouterr().err
    assert "web KEEPS FAILING" in err and "exit code 3" in err
    assert "cannot open the staff database" in err  # the tail of its log
    assert err.count("KEEPS FAILING") == 1  # said once, not at every restart
    assert child.in_crash_loop and child.restarts >= 5
    child.process.wait()


def test_a_child_that_stayed_up_starts_a_new_incident(tmp_path):
    child = Child("actions", spawner(SLEEPER))
    child.process = child.spawn()
    supervisor = Supervisor(
        [child], tmp_path / "t.json", "t", backoff=Backoff(0.05, 5.0, stable_after_s=0.3)
    )
    child.streak = 4  # it had been crashing
    time.sleep(0.35)  # then stayed up longer than stable_after_s
    child.process.kill()
    pid = child.process.pid
    child.process.wait()
    assert run_until(supervisor, lambda: child.process.pid != pid, timeout=2)
    assert child.streak == 1  # back to the first, short delay
    child.process.kill()
    child.process.wait()


def test_a_child_dies_with_its_parent(tmp_path):
    """kill -9 of the parent: PR_SET_PDEATHSIG stops the child at once."""
    pid_file = tmp_path / "child.pid"
    parent_code = textwrap.dedent(
        f"""
        import subprocess, sys, time
        from bot.ops.lifeline import die_with_parent
        child = subprocess.Popen({SLEEPER!r}, preexec_fn=die_with_parent())
        open({str(pid_file)!r}, "w").write(str(child.pid))
        time.sleep(120)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    try:
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text())
        child_pid = int(pid_file.read_text())
        assert alive(child_pid)
        parent.kill()
        parent.wait()
        assert wait_for(lambda: not alive(child_pid), timeout=3), "the child outlived its parent"
    finally:
        parent.kill()


def test_no_parent_death_signal_from_a_worker_thread():
    """The kernel ties the signal to the forking thread: a worker thread's child would die
    with the thread, so none is set there."""
    from concurrent.futures import ThreadPoolExecutor

    assert die_with_parent() is not None
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(die_with_parent).result() is None


def test_status_not_running_and_stale(tmp_path):
    path = tmp_path / "default.json"
    code, text = describe_status("default", path)
    assert code == 3 and "not running" in text

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that no longer runs
    leftover = subprocess.Popen(SLEEPER)
    try:
        cmdline = Path(f"/proc/{leftover.pid}/cmdline")
        assert wait_for(lambda: b"time.sleep" in cmdline.read_bytes())  # exec is complete
        argv = cmdline.read_bytes().split(b"\0")[:-1]
        status = {
            "supervisor_pid": gone.pid,
            "supervisor_argv": ["python", "-m", "bot", "serve"],
            "started_at": time.time() - 100,
            "updated_at": time.time() - 50,
            "children": [
                {"name": "rasa", "pid": leftover.pid, "argv": [a.decode() for a in argv]},
                {"name": "web", "pid": gone.pid, "argv": ["python", "-m", "bot", "web"]},
            ],
        }
        path.write_text(json.dumps(status))
        code, text = describe_status("default", path)
        assert code == 1
        assert f"supervisor (pid {gone.pid}) is gone" in text
        assert "still running without it: rasa" in text

        note = replace_stale_instance(path, grace_s=5)
        assert note and "rasa (pid" in note and "stopped" in note
        assert leftover.wait(timeout=5) == -signal.SIGTERM
        assert not path.exists()
    finally:
        leftover.kill()
        leftover.wait()


def test_a_live_instance_is_not_started_twice(tmp_path):
    path = tmp_path / "default.json"
    me = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().split(b"\0")[:-1]
    path.write_text(
        json.dumps(
            {
                "supervisor_pid": os.getpid(),
                "supervisor_argv": [a.decode() for a in me],
                "started_at": time.time(),
                "updated_at": time.time(),
                "children": [],
            }
        )
    )
    with pytest.raises(RuntimeError, match="already running"):
        replace_stale_instance(path)
    assert path.exists()
    code, text = describe_status("default", path)
    assert code == 0 and "running" in text


def test_a_taken_port_is_named_with_its_holder():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        held = rf"port {port} \(Rasa\) is already in use by pid {os.getpid()}"
        with pytest.raises(RuntimeError, match=held):
            refuse_taken_ports({"Rasa": port})


SUPERVISED = textwrap.dedent(
    """
    import subprocess, sys
    from bot.ops.lifeline import die_with_parent
    from bot.ops.supervise import Child, supervise

    def spawn():
        return subprocess.Popen({sleeper!r}, preexec_fn=die_with_parent())

    kids = [Child(name, spawn) for name in ("rasa", "actions")]
    def start():
        for kid in kids:
            kid.process = kid.spawn()
    def stop():
        for kid in kids:
            kid.process.terminate(); kid.process.wait()
    sys.exit(supervise("test", start, lambda: "ready", lambda: kids, stop, profile="t"))
    """
)


def _supervisor(tmp_path: Path) -> tuple[subprocess.Popen, dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_RUN_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", SUPERVISED.format(sleeper=SLEEPER)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    path = tmp_path / "t.json"

    def started() -> bool:
        status = read_status(path) or {}
        return status.get("supervisor_pid") == process.pid and bool(status.get("children"))

    assert wait_for(started, timeout=20)
    return process, read_status(path)


def test_sigterm_stops_everything_and_clears_the_status(tmp_path):
    supervisor, status = _supervisor(tmp_path)
    pids = [c["pid"] for c in status["children"]]
    assert all(alive(pid) for pid in pids)
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=10) == 0
    assert not any(alive(pid) for pid in pids)
    assert not (tmp_path / "t.json").exists()


def test_kill_9_of_the_supervisor_takes_its_children_and_the_next_start_says_so(tmp_path):
    supervisor, status = _supervisor(tmp_path)
    pids = [c["pid"] for c in status["children"]]
    supervisor.kill()
    supervisor.wait()
    assert wait_for(lambda: not any(alive(pid) for pid in pids), timeout=3)
    code, text = describe_status("t", tmp_path / "t.json")
    assert code == 1 and "stale" in text and "none of its processes is left" in text
    again, _ = _supervisor(tmp_path)  # the next start goes ahead
    again.send_signal(signal.SIGTERM)
    out, _ = again.communicate(timeout=10)
    assert again.returncode == 0
    assert f"earlier run (supervisor pid {supervisor.pid}) ended uncleanly" in out


@pytest.mark.heavy  # starts nginx
def test_a_sigkilled_nginx_master_leaves_no_worker_holding_the_port(tmp_path):
    """nginx's workers outlive a SIGKILLed master and keep the port; the restart stops them."""
    from bot.ops.services.nginx import Nginx, nginx_conf
    from tests.system import binary, free_port

    binary("nginx")
    front = free_port()
    conf = nginx_conf(
        tmp_path,
        front,
        ["127.0.0.1:9"],
        ["127.0.0.1:9"],
        free_port(),
        "127.0.0.1:9",
        forwarded_secret="s" * 32,
    )
    nginx = Nginx(tmp_path, conf)
    first = nginx.start()
    try:
        assert wait_for(lambda: len(nginx.leftover_workers()) >= 2)  # master + workers
        first.kill()
        first.wait()
        orphans = nginx.leftover_workers()
        assert orphans, "nginx's workers died with their master: this test is moot"
        second = nginx.start()
        assert all(not alive(pid) for pid in orphans)
        assert wait_for(lambda: second.poll() is None and port_open(front), timeout=10)
        assert second.poll() is None  # not "address already in use"
    finally:
        nginx.stop()
        for pid in nginx.leftover_workers():
            os.kill(pid, signal.SIGKILL)


def test_a_long_start_is_starting_not_stale(tmp_path):
    """The file is not rewritten while the servers load (minutes on a busy machine)."""
    path = tmp_path / "default.json"
    me = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().split(b"\0")[:-1]
    status = {
        "supervisor_pid": os.getpid(),
        "supervisor_argv": [a.decode() for a in me],
        "state": "starting",
        "started_at": time.time() - 200,
        "updated_at": time.time() - 200,
        "children": [],
    }
    path.write_text(json.dumps(status))
    code, text = describe_status("default", path)
    assert code == 0 and "starting" in text and "stale" not in text
    status["state"] = "running"
    path.write_text(json.dumps(status))
    code, text = describe_status("default", path)
    assert code == 1 and "hung?" in text
