"""The splitter's labelled set checks itself: every expected part is a verbatim substring of its
message, in order, and the set holds the kinds the issue asks for. The splitter's own accuracy is
measured against this file by its tests; this one only keeps the labels honest."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

CASES: List[Dict] = yaml.safe_load(
    (Path(__file__).parent / "split_cases.yml").read_text(encoding="utf-8")
)["cases"]


def test_counts():
    parts = Counter(len(case["parts"]) for case in CASES)
    assert len(CASES) >= 110
    assert parts[1] >= 30  # single questions that must stay whole
    assert parts[0] >= 8  # greetings, thanks, punctuation only
    assert sum(n for size, n in parts.items() if size > 4) >= 5  # more than the 4 answered
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_parts_occur_in_order(case):
    assert set(case) <= {"id", "text", "parts", "origin"}
    text, start = case["text"].lower(), 0
    for part in case["parts"]:
        found = text.find(part.lower(), start)
        assert found >= 0, f"{part!r} not found after position {start}"
        start = found + len(part)
