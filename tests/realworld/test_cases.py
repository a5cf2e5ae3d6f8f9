"""The real-world set checks itself before it judges the bot: every pattern is valid under the
scorer's folding, the counts the issue asks for are there, and a reply written from the page passes
every case while a canned reply ("yes", "no", a bare refusal) cannot pass a case that asks for a
fact. A case the page cannot satisfy, or one any reply satisfies, would make the floor
meaningless."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from tests.e2e import scoring
from tests.e2e.scoring import fold, judge

HERE = Path(__file__).parent
CASES: List[Dict] = yaml.safe_load((HERE / "cases.yml").read_text(encoding="utf-8"))["cases"]
REFERENCE: Dict[str, str] = yaml.safe_load(
    (HERE / "reference_replies.yml").read_text(encoding="utf-8")
)["replies"]
TEAM_SCORER = HERE.parents[2] / "shared" / "eval" / "score.py"

# What the issue asks of the set: at least 150 messages, at least 20 of each pattern (the brief
# raised these to 160 and the counts below).
MIN_TOTAL = 160
MIN_PER_CATEGORY = {
    "multi": 30,
    "described": 22,
    "roles": 22,
    "premise": 22,
    "context": 22,
    "unknown": 22,
    "bad_input": 5,
}
KEYS = {"id", "cat", "turns", "all", "some", "none", "honest", "honest_or_negative"}
CANNED = [
    "I'm afraid the page doesn't cover that. Please contact the international office.",
    "Yes, that's right.",
    "No.",
]


def _patterns(case: Dict) -> List[str]:
    groups = case.get("all", []) + case.get("some", {}).get("of", [])
    return [p for group in groups for p in group] + case.get("none", [])


def test_counts_and_shape():
    counts = Counter(case["cat"] for case in CASES)
    assert len(CASES) >= MIN_TOTAL
    short = {cat: counts[cat] for cat, floor in MIN_PER_CATEGORY.items() if counts[cat] < floor}
    assert short == {}, f"fewer cases than asked: {short}"
    assert set(counts) == set(MIN_PER_CATEGORY)
    assert len({case["id"] for case in CASES}) == len(CASES)
    for case in CASES:
        assert set(case) <= KEYS, case["id"]
        assert case["turns"] and all(isinstance(t, str) for t in case["turns"]), case["id"]
        assert _patterns(case) or case.get("honest") or case.get("honest_or_negative"), case["id"]
    assert all(len(c["turns"]) >= 2 for c in CASES if c["cat"] == "context")
    assert all(c.get("honest") for c in CASES if c["cat"] == "unknown")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_patterns_are_valid_after_folding(case):
    for pattern in _patterns(case):
        assert not re.search(r"\\[SWDB]", pattern), f"upper-case escape in {pattern!r}"
        re.compile(fold(pattern))


def test_every_case_has_a_reference_reply():
    assert set(REFERENCE) == {case["id"] for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_reply_from_the_page_passes(case):
    assert judge(case, REFERENCE[case["id"]]) == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_canned_reply_cannot_pass_a_case_that_asks_for_facts(case):
    if not (case.get("all") or case.get("some")):
        pytest.skip("an honest refusal is this case's right answer")
    assert all(judge(case, canned) for canned in CANNED)


@pytest.mark.skipif(not TEAM_SCORER.exists(), reason="the team scorer is outside this checkout")
def test_our_scoring_rules_are_the_team_scorers():
    spec = importlib.util.spec_from_file_location("team_score", TEAM_SCORER)
    team = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(team)
    assert (scoring.HONEST, scoring.NEGATIVE) == (team.HONEST, team.NEGATIVE)
