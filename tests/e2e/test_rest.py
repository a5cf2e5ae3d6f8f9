"""The assistant answers over its REST channel as a student would see it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from tests.e2e.scoring import flatten, judge

CASES = yaml.safe_load((Path(__file__).parent / "cases.yml").read_text(encoding="utf-8"))["cases"]
pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, conversation):
    reply = ""
    for turn in case["turns"]:
        reply = flatten(conversation(turn))
    assert judge(case, reply) == [], reply


def test_buttons_carry_the_project_in_context(conversation):
    messages = conversation("tell me about NIZAMI")
    payloads = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert '/ask_project_coordinator{"project": "NIZAMI"}' in payloads
    (reply,) = conversation('/ask_project_coordinator{"project": "NIZAMI"}')
    assert "Montpellier" in reply["text"]


def test_a_warm_answer_is_fast(conversation):
    conversation("hello")
    start = time.perf_counter()
    conversation("Who coordinates PROMIG?")
    assert time.perf_counter() - start < 2.0  # generous: `make bench` measures the real figures
