"""One test per validation rule (pure functions; the repository tests check they are applied)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.kb.load import KnowledgeError
from bot.staff_db.validation import (
    ValidationError,
    kb_fact_ids,
    link_problems,
    normalise_question,
    validate,
)
from tests.staff_db.helpers import AS_OF, draft
from tests.test_links import BYPASSES

FACTS = lambda: {"projects[promig]"}  # noqa: E731


def errors(d, others=()) -> dict:
    with pytest.raises(ValidationError) as caught:
        validate(d, others, FACTS)
    return caught.value.errors


def test_a_good_draft_passes():
    validate(draft(fact_ref="projects[promig]", source_url="https://beu.edu.az/x"), (), FACTS)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"question": "   "}, "question", "empty"),
        ({"answer": " \n "}, "answer", "empty"),
        ({"answer": "x" * 1001}, "answer", "1000"),
        ({"phrasings": ["apply", "APPLY "]}, "phrasings", "twice"),
        ({"phrasings": ["How do I apply as an exchange student"]}, "phrasings", "question"),
        ({"phrasings": ["ok", " "]}, "phrasings", "empty"),
        ({"phrasings": "not a list"}, "phrasings", "list"),
        ({"review_by": AS_OF - dt.timedelta(days=1)}, "review_by", "before"),
        ({"state": "live"}, "state", "unknown state"),
        ({"fact_ref": "projects[nope]"}, "fact_ref", "not a fact id"),
        ({"owner": ""}, "owner", "owns"),
        ({"tags": ["a", "A"]}, "tags", "twice"),
        ({"as_of": "2024-01-01"}, "as_of", "date"),
        ({"source_url": "/relative"}, "source_url", "broken link"),
    ],
)
def test_each_rule_names_its_field(fields, field, words):
    problems = errors(draft(**fields))
    assert list(problems) == [field]
    assert words in problems[field]


def test_answer_of_exactly_the_limit_is_fine():
    validate(draft(answer="x" * 1000), (), FACTS)


def test_every_problem_is_reported_at_once():
    problems = errors(draft(question="", answer="", state="x", review_by=AS_OF.replace(year=2000)))
    assert set(problems) == {"question", "answer", "state", "review_by"}


def test_duplicates_are_case_and_whitespace_insensitive():
    others = [("How do I  APPLY?", ["application deadline"])]
    assert "question" in errors(draft("how do i apply", phrasings=[]), others)
    assert "question" in errors(draft("Application   Deadline", phrasings=[]), others)
    assert "phrasings" in errors(draft("Other", phrasings=["HOW DO I APPLY"]), others)
    validate(draft("How do I apply for a visa?", phrasings=[]), others, FACTS)


@pytest.mark.parametrize(
    "answer",
    [
        "See [the page](/apply).",
        "See [the page](apply.html).",
        "Click [here](javascript:alert(1)).",
        "Mail [us](ftp://beu.edu.az/file).",
        "Broken [link](https://).",
        "Broken [link](https:///path).",
        "Empty [link]().",
        "Reference [page][1].\n\n[1]: /relative",
        "Autolink <javascript:alert(1)>.",
        "Bare http:// here.",
        "Bare https://not_a_host here.",
        "Bare javascript:alert(1) here.",
        "![image](data:image/png;base64,AAAA)",
    ],
)
def test_broken_links_are_refused(answer):
    problems = errors(draft(answer=answer))
    assert problems["answer"].startswith("broken link")


@pytest.mark.parametrize(
    "answer",
    [
        "See [the page](https://beu.edu.az/en/international).",
        "See [wiki](https://en.wikipedia.org/wiki/Baku_(city)) and [b](http://beu.edu.az).",
        "Visit https://beu.edu.az. Or www.beu.edu.az, or <https://beu.edu.az/a?b=1>.",
        "(see https://beu.edu.az/x)",
        "Write to international@beu.edu.az.",
        '[titled](https://beu.edu.az "BEU")',
    ],
)
def test_good_links_pass(answer):
    assert link_problems(answer) == []
    validate(draft(answer=answer), (), FACTS)


def test_normalised_question():
    assert normalise_question("  Where IS\tthe office?? ") == "where is the office"


def test_fact_ids_come_from_the_knowledge_base():
    ids = kb_fact_ids()
    assert "projects[promig]" in ids
    assert "organisations[graz]" in ids
    assert "projects[nothing]" not in ids
    validate(draft(fact_ref="projects[promig]"))  # the default checker is the real KB
    with pytest.raises(ValidationError):
        validate(draft(fact_ref="projects[nothing]"))


def test_an_unloadable_knowledge_base_is_reported_on_the_field():
    def broken():
        raise KnowledgeError(Path("knowledge/kb.yml"), ["not valid YAML"])

    with pytest.raises(ValidationError) as caught:
        validate(draft(fact_ref="projects[promig]"), (), broken)
    assert "does not load" in caught.value.errors["fact_ref"]
    validate(draft(fact_ref=None), (), broken)  # not consulted when there is no fact_ref


@pytest.mark.parametrize("answer", BYPASSES)
def test_disguised_links_are_refused_naming_the_answer_field(answer):
    problems = errors(draft(answer=f"Apply online. {answer}"))
    assert problems["answer"].startswith("broken link"), problems


def test_mailto_and_tel_links_are_allowed_in_answers_but_not_as_source():
    answer = "Write to [us](mailto:international@beu.edu.az) or [call](tel:+994124986535)."
    validate(draft(answer=answer), (), FACTS)
    assert "source_url" in errors(draft(source_url="mailto:international@beu.edu.az"))
