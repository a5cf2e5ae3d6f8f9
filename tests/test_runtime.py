"""The serving processes run numpy's BLAS single-threaded (bot/runtime.py): each entry point sets
it before numpy loads, and an operator's own setting wins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLAS_THREADS = (
    "import numpy, threadpoolctl\n"
    "print(max(i['num_threads'] for i in threadpoolctl.threadpool_info()"
    " if i['user_api'] == 'blas'))\n"
)


def blas_threads_after(code: str, **env: str) -> int:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    environment.update(env, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false")
    result = subprocess.run(
        [sys.executable, "-c", code + BLAS_THREADS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.strip().splitlines()[-1])


LAUNCH = (
    "import sys\nsys.argv = ['rasa', '--version']\nimport bot.rasa_server.launch\n"
    "try:\n    bot.rasa_server.launch.main()\nexcept SystemExit:\n    pass\n"
)
ACTIONS = (
    "import bot.action_server.__main__ as entry\n"
    "try:\n    entry.main(['--help'])\nexcept SystemExit:\n    pass\n"
)


@pytest.mark.parametrize("entry", [LAUNCH, ACTIONS], ids=["rasa", "actions"])
def test_servers_run_blas_on_one_thread(entry):
    assert blas_threads_after(entry) == 1


def test_without_it_blas_would_start_a_thread_per_core():
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: BLAS starts one thread anyway")
    assert blas_threads_after("import numpy\n") > 1


def test_an_operators_own_setting_wins():
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: BLAS starts one thread anyway")
    assert blas_threads_after(ACTIONS, OPENBLAS_NUM_THREADS="2") == 2
