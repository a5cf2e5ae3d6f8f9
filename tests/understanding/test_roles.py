"""Who is who: the role of each country in a message, on the labelled set of applicant
messages (tests/understanding/role_cases.yml, committed before the rules were tuned) with the
entities of the real EntityRuler, plus the edge cases the rules must hold."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
import spacy
import yaml

from bot import paths
from bot.understanding.roles import assign_roles, countries_with_role, refers_to_home

HERE = Path(__file__).parent
ACCURACY_FLOOR = 0.95


def load_cases(name: str) -> List[Dict[str, Any]]:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def nlp():
    if not (paths.SPACY_PIPELINE / "meta.json").exists():
        pytest.fail("run `make kb` first: the roles are read around the EntityRuler's entities")
    return spacy.load(paths.SPACY_PIPELINE)


def extract(nlp, text: str) -> List[Dict[str, Any]]:
    """Entities as Rasa's SpacyEntityExtractor + EntitySynonymMapper give them."""
    return [
        {"entity": e.label_, "value": e.ent_id_ or e.text, "start": e.start_char, "end": e.end_char}
        for e in nlp(text).ents
    ]


def roles(nlp, text: str) -> List[tuple]:
    return [
        (e["value"], e.get("role"))
        for e in assign_roles(text, extract(nlp, text))
        if e["entity"] == "country"
    ]


@pytest.mark.parametrize(
    ("name", "minimum_cases"),
    [("role_cases.yml", 100), ("role_cases_round2.yml", 40), ("role_cases_heldout.yml", 30)],
)
def test_labelled_set_accuracy(nlp, name, minimum_cases):
    cases = load_cases(name)
    assert len(cases) >= minimum_cases
    confusion: Counter = Counter()
    wrong = []
    for case in cases:
        expected = [(c["value"], c["role"]) for c in case["countries"]]
        got = roles(nlp, case["text"])
        assert [v for v, _ in got] == [v for v, _ in expected], case["text"]  # the extractor
        for (value, want), (_, have) in zip(expected, got, strict=True):
            confusion[(want, have)] += 1
            if want != have:
                wrong.append(f"  {value}: expected {want}, got {have} in {case['text']!r}")
    total = sum(confusion.values())
    right = sum(n for (want, have), n in confusion.items() if want == have)
    print(f"\n{name}: {right}/{total} right ({right / total:.3f}); confusion (expected -> got):")
    for (want, have), n in sorted(confusion.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        print(f"  {want} -> {have}: {n}")
    for role in ("origin", "destination", None):
        labelled = sum(n for (want, _), n in confusion.items() if want == role)
        hits = confusion[(role, role)]
        print(f"  {role}: {hits}/{labelled} ({hits / labelled:.3f})")
    print("\n".join(wrong))
    assert right / total >= ACCURACY_FLOOR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the writer's own country is never read as a partner country
        (
            "I'm from Moldova. Do you have Moldovan students?",
            [("Moldova", "origin"), ("Moldova", None)],
        ),
        ("partners in Poland and Latvia?", [("Poland", "destination"), ("Latvia", "destination")]),
        ("Turkmen guy here", [("Turkmenistan", "origin")]),
        ("any Turkmen guys here?", [("Turkmenistan", None)]),  # asks about others
        ("Are the lectures in Russian?", [("Russia", None)]),  # a language, not a place
        ("partners in Russia?", [("Russia", "destination")]),
        ("I'm not from Azerbaijan", [("Azerbaijan", None)]),
    ],
)
def test_roles_from_the_words_around_the_name(nlp, text, expected):
    assert roles(nlp, text) == expected


def test_entities_are_copied_and_only_countries_get_a_role(nlp):
    text = "I'm from Moldova, who coordinates PAWER?"
    entities = extract(nlp, text)
    result = assign_roles(text, entities)
    assert all("role" not in e for e in entities)  # the caller's list is untouched
    assert [(e["entity"], e.get("role")) for e in result] == [
        ("country", "origin"),
        ("project", None),
    ]


def test_a_role_already_given_is_kept():
    text = "partners in Poland"
    entities = [{"entity": "country", "value": "Poland", "start": 12, "end": 18, "role": "origin"}]
    assert assign_roles(text, entities)[0]["role"] == "origin"


def test_entities_without_a_position_are_left_alone():
    entities = [{"entity": "country", "value": "Poland"}]  # from a button's payload
    assert assign_roles("/ask_partners", entities) == entities
    wrong = [{"entity": "country", "value": "Poland", "start": 50, "end": 56}]
    assert assign_roles("short", wrong) == wrong


@pytest.mark.parametrize(
    "text",
    ["", "?!?!...", "<b>I'm from</b> <i>", "from " * 400, "I'm from Moldova? " * 110],
    ids=["empty", "punctuation", "markup", "2000-from", "110-sentences"],
)
def test_bad_input_gives_a_bounded_result(nlp, text):
    entities = extract(nlp, text)
    result = assign_roles(text, entities)
    assert len(result) == len(entities)
    assert {e.get("role") for e in result} <= {None, "origin", "destination"}


def test_a_long_message_is_handled_quickly(nlp):
    import time

    text = "Hello, I am from Moldova and I want to go to Poland or Latvia, any partners? " * 26
    entities = extract(nlp, text)
    started = time.perf_counter()
    result = assign_roles(text[:2000], [e for e in entities if e["end"] <= 2000])
    assert time.perf_counter() - started < 0.5
    assert countries_with_role(result, "origin")[:1] == ["Moldova"]
    assert countries_with_role(result, "destination")[:2] == ["Poland", "Latvia"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("after graduation I will go back home", True),
        ("is my diploma recognised in my country?", True),
        ("my home country recognises it?", True),
        ("can I transfer credits to a uni at home?", True),
        ("credits from my home university", True),
        ("partners in Poland?", False),
        ("I study at home online", False),
        ("the homepage of the office", False),
        ("", False),
    ],
)
def test_refers_to_home(text, expected):
    assert refers_to_home(text) is expected


def test_countries_with_role():
    entities = [
        {"entity": "country", "value": "Moldova", "role": "origin"},
        {"entity": "country", "value": "Poland", "role": "destination"},
        {"entity": "country", "value": "Russia"},
        {"entity": "project", "value": "PAWER"},
    ]
    assert countries_with_role(entities, "origin") == ["Moldova"]
    assert countries_with_role(entities, "destination") == ["Poland"]
    assert countries_with_role(entities, None) == ["Russia"]
