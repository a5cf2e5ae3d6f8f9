"""The splitter on its labelled set (tests/understanding/split_cases.yml, written before it was
tuned) and on the shapes the issue names."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from bot.understanding.split import MAX_PARTS, after_greeting, split_questions

CASES: List[Dict] = yaml.safe_load(
    (Path(__file__).parent / "split_cases.yml").read_text(encoding="utf-8")
)["cases"]
FLOOR = 0.95


def _right(case: Dict) -> bool:
    split = split_questions(case["text"])
    expected = [p.lower() for p in case["parts"]]
    got = [p.text.lower() for p in split.parts]
    return (
        len(got) == min(len(expected), MAX_PARTS)
        and split.dropped == max(0, len(expected) - MAX_PARTS)
        and all(want in part for want, part in zip(expected, got, strict=False))
    )


def test_the_labelled_set_is_split_right():
    wrong = [case["id"] for case in CASES if not _right(case)]
    accuracy = 1 - len(wrong) / len(CASES)
    print(f"splitter: {len(CASES) - len(wrong)}/{len(CASES)} right; wrong: {wrong}")
    assert accuracy >= FLOOR, wrong


def parts(text: str) -> List[str]:
    return [p.text for p in split_questions(text).parts]


def test_a_numbered_list_inline():
    assert parts("1) who leads NIZAMI? 2) any partners in Croatia? 3) can I bring my family?") == [
        "who leads NIZAMI?",
        "any partners in Croatia?",
        "can I bring my family?",
    ]


def test_run_on_sentence_with_a_second_question():
    assert len(parts("who coordinates it and when does it run?")) == 2
    assert len(parts("Which subjects are taught in English, do you have Moldovan students?")) == 2


def test_one_question_with_and_stays_whole():
    assert parts("partners in Poland and Latvia?") == ["partners in Poland and Latvia?"]
    assert len(parts("how many students and staff went abroad?")) == 1


def test_a_question_inside_a_long_story():
    story = (
        "I'm originally from Iraq but grew up in Erbil and moved to Istanbul when I was twelve. "
        "I finished school last June and my parents want me to study abroad, maybe in Baku "
        "because my uncle lives there. Are there students from Iraq at BEU? My uncle says yes."
    )
    assert parts(story) == ["Are there students from Iraq at BEU?"]


def test_greetings_signoffs_and_punctuation_are_not_questions():
    assert parts("Hello!") == []
    assert parts("thanks a lot, bye") == []
    assert parts("?!?! ... ???") == []
    assert parts("") == []
    message = "Dear team,\nwhat is Mevlana?\nis there a dorm?\nKind regards,\nAyşe"
    assert parts(message) == ["what is Mevlana?", "is there a dorm?"]


def test_more_questions_than_one_reply_answers_are_counted():
    split = split_questions("\n".join(f"{n}) what about question {n}?" for n in range(1, 21)))
    assert len(split.parts) == MAX_PARTS and split.dropped == 20 - MAX_PARTS


def test_a_huge_message_is_bounded():
    text = "is there a dorm? " * 30 + "x" * 2000
    split = split_questions(text)
    assert len(split.parts) == MAX_PARTS
    assert split.parts[-1].end <= len(text)


def test_spans_point_into_the_message():
    text = "Hi! 1) what is CRENG? 2) who leads PAWER?"
    for part in split_questions(text).parts:
        assert text[part.start : part.end] == part.text


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("salam, beynelxalq telebeler nece neferdir?", "beynelxalq telebeler nece neferdir?"),
        ("Привет! какие программы на английском?", "какие программы на английском?"),
        ("Merhaba, yurt var mı acaba?", "yurt var mı acaba?"),
        ("Hello, how many international students study here?", "how many international"),
    ],
)
def test_a_greeting_in_any_language_is_not_part_of_the_question(message: str, question: str):
    split = split_questions(message)
    assert [p.text[: len(question)] for p in split.parts] == [question]
    assert after_greeting(message, split)


def test_a_greeting_alone_or_a_plain_question_is_not_after_a_greeting():
    for message in ("Merhaba", "Здравствуйте!", "какие программы на английском?"):
        assert not after_greeting(message, split_questions(message))
