"""deploy/systemd/beu-assistant.service: what production relies on is really in the unit."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "beu-assistant.service"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(UNIT)
    return parser


def test_the_unit_restarts_the_supervisor_and_lets_it_stop_its_children():
    service = unit()["Service"]
    assert service["ExecStart"].endswith("/.venv/bin/python -m bot serve")
    assert service["Restart"] == "on-failure"
    # SIGTERM to the supervisor alone (it stops nginx, the servers, Redis, PostgreSQL in order),
    # SIGKILL for what is left after the timeout
    assert service["KillMode"] == "mixed" and service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > 15 + 15  # Servers.stop() waits up to 15 s per process
    assert service["EnvironmentFile"] == "/etc/beu-assistant/env"
    assert service["WorkingDirectory"] + "/var" == service["ReadWritePaths"]


def test_the_example_environment_names_a_profile():
    example = (UNIT.parent / "beu-assistant.env.example").read_text()
    settings = dict(
        line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#")
    )
    assert settings["PROFILE"] in ("default", "scaled")


def test_systemd_accepts_the_unit_where_it_can_check():
    analyze = shutil.which("systemd-analyze")
    if not analyze:  # containers without systemd: the parse above is the check
        return
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(UNIT)], capture_output=True, text=True, timeout=60
    )
    # verify also complains about the absent user, directories and binary of a dev machine
    problems = [
        line
        for line in result.stderr.splitlines()
        if "Unknown" in line or "unknown" in line or "bad-setting" in line
    ]
    assert not problems, result.stderr
