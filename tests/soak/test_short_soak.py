"""The short soak that runs in `make test` (the full one is `make soak`, tests/soak/run.py).

The scaled profile as `make run-scaled` starts it (nginx, PostgreSQL, Redis), but with one Rasa
replica and one action server: every replica loads TensorFlow and the model (~25 CPU-seconds
each), and on 2 cores two replicas more would take the start-up alone past the 90 s budget.
Cross-replica faults (a replica or an action server killed) are `make soak`'s. 10 students for
15 s through nginx, and PostgreSQL restarted in the middle. Nothing may fail and nothing may be
lost: every message is answered, every answer judged right, and the tracker store holds exactly
the messages sent, in order. Also: the widget's socket.io traffic stays on one replica.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
import time
from collections import defaultdict

import pytest

from tests.soak import stack
from tests.soak.load import check_tracker, run_load, socketio_sessions, widget_conversation

# One worker runs the whole module (pytest-xdist), so the stack starts once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("scaled-soak")]

USERS, SECONDS, FAULT_AT = 10, 15.0, 5.0


@pytest.fixture(scope="module")
def scaled():
    from tests.soak.run import ROOT, WORK

    # PostgreSQL, Redis, nginx: scripts/system-deps.sh installs them for `make test`; this
    # installs only what is still missing (nothing, normally).
    subprocess.run(
        ["bash", str(ROOT / "scripts/system-deps.sh"), "scaled"], check=True, timeout=600
    )
    profile = stack.scaled(WORK / "short", replicas=1, action_servers=1)
    yield profile
    profile.stop()


def upstreams(profile, path: str, marker: str = "") -> dict:
    """upstream address → requests, from nginx's access log (flushed every second)."""
    time.sleep(1.2)
    counts: dict = defaultdict(int)
    log = profile.var_dir / "nginx" / "access.log"
    for line in log.read_text().splitlines():
        if path in line and marker in line:
            counts[re.search(r"upstream=(\S+)", line).group(1)] += 1
    return counts


def test_nothing_is_lost_when_postgresql_restarts_under_load(scaled):
    restarted = {}

    def restart_postgres():
        time.sleep(FAULT_AT)
        began = time.monotonic()
        scaled.postgres.restart()
        restarted["seconds"] = time.monotonic() - began

    fault = threading.Thread(target=restart_postgres)
    fault.start()
    result = asyncio.run(run_load(scaled.webhook, USERS, SECONDS, "short-soak", timeout=20))
    fault.join()
    events = check_tracker(result, scaled.tracker_url)
    summary = result.summary()
    print(summary, restarted)
    assert restarted["seconds"] < 10
    assert summary["messages"] >= 3 * USERS
    assert summary["errors"] == 0, summary["outcomes"]
    assert events["lost_events"] == 0, events["lost_examples"]
    assert events["phantom_events"] == 0
    assert summary["wrong_answers"] == 0, summary["wrong_examples"]
    served = upstreams(scaled, "/webhooks/rest/webhook")
    assert sum(served.values()) == summary["messages"], served  # all of it through nginx


def test_the_widget_talks_through_nginx_and_keeps_its_context(scaled):
    """Browsers load the page (nginx sets the affinity cookie), then the widget long-polls
    through nginx; each conversation's follow-up is answered in context. (That a session's polls
    never change replica is checked with two replicas by `make soak`.)"""

    async def widgets():
        return await asyncio.gather(*(widget_conversation(scaled.front) for _ in range(4)))

    for reply in asyncio.run(widgets()):
        assert "Warsaw" in reply
    sessions = socketio_sessions(scaled.var_dir / "nginx" / "access.log")
    assert len(sessions) >= 4
    assert all(len(replicas) == 1 for replicas in sessions.values()), sessions
