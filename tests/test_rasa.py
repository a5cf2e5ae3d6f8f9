"""Rasa's own checks, as tests: data validation, the NLU quality bar, and conversation stories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "beu.tar.gz"
pytestmark = pytest.mark.rasa


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def model() -> Path:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    return MODEL


def test_training_data_is_valid_without_warnings():
    result = rasa(
        "data",
        "validate",
        "--fail-on-warnings",
        "--data",
        "data",
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_nlu_meets_the_committed_f1_on_the_held_out_set(model, tmp_path):
    result = rasa(
        "test",
        "nlu",
        "--nlu",
        "tests/nlu/test_nlu.yml",
        "--model",
        str(model),
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "intent_report.json").read_text())
    f1 = report["weighted avg"]["f1-score"]
    threshold = yaml.safe_load((ROOT / "tests/nlu/threshold.yml").read_text())["intent_weighted_f1"]
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / "nlu_intent_report.json").write_text(json.dumps(report, indent=1))
    print(f"held-out intent weighted F1 = {f1:.3f} (threshold {threshold})")
    assert f1 >= threshold, f"intent weighted F1 {f1:.3f} fell below {threshold}"


def test_conversation_stories_pass(model, tmp_path):
    result = rasa(
        "test", "core", "--stories", "tests/stories", "--model", str(model),
        "--out", str(tmp_path), "--fail-on-prediction-errors",
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, detail + result.stdout[-2000:] + result.stderr[-2000:]
