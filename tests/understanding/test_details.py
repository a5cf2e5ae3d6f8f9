"""Unknown details of known topics are recognised, and answerable questions are left alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.understanding.details import unanswered_detail

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "question",
    [
        "how much is the Erasmus grant per month?",
        "what is the tuition of the dual degree?",
        "who is the dean of the engineering faculty?",
        "how many credits does a master's need?",
        "how long can a Mevlana exchange last?",
        "is there a minimum age for admission?",
        "whats its world ranking?",
        "is BEU public or private?",
        "when is the deadline for Chevening?",
        "do I need to speak Azerbaijani?",
        "is there a buddy programme for newcomers?",
        "can students volunteer in these projects?",
        "how many PhD places does BEU offer each year?",
        "is there one planned for this year?",
        "will someone pick me up at the airport?",
    ],
)
def test_unknown_details_are_recognised(question):
    assert unanswered_detail(question) is not None


@pytest.mark.parametrize(
    "question",
    [
        "who coordinates NIZAMI?",
        "how long does MAGNUS run?",
        "how many students went abroad on exchange?",
        "how much students are from Turkey",  # a count, typed as "how much"
        "who is the head of CRENG?",  # the coordinator, which the page names
        "what is the project about credits between universities called?",
        "i dont speak azerbaijani, are there courses in english",
    ],
)
def test_answerable_questions_are_left_to_their_answer(question):
    assert unanswered_detail(question) is None


def test_no_answerable_question_of_the_nlu_test_set_is_declined():
    """Every held-out NLU example whose intent has an answer from the page passes through."""
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "test_nlu.yml").read_text(encoding="utf-8"))
    declined = []
    for block in data["nlu"]:
        if block["intent"] in ("ask_not_covered", "out_of_scope"):
            continue
        for line in block["examples"].splitlines():
            text = re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", line.lstrip("- ").strip())
            if text and unanswered_detail(text):
                declined.append(text)
    assert declined == []
