"""The run-time gazetteer: a name staff add after training is found, with the ruler's entity type
and canonical value, its aliases, without accents and misspelt; names the model was trained on
are left to the model; and a message costs microseconds."""

from __future__ import annotations

import time

import pytest

from bot.kb.load import load_countries, load_kb
from bot.offline.vocabulary import kb_vocabulary
from bot.understanding.live_names import Gazetteer, known_forms

KYOTO = {
    "id": "kyoto",
    "name": "Kyoto Sangyō University",
    "aliases": ["KSU Kyoto", "Киотский университет Сангё"],
    "country": "JP",
    "kind": "university",
    "quote": "confirmed by the partner office",
}
PROJECT = {
    "id": "greenbridge",
    "acronym": "GREENBRIDGE",
    "name": "Green Bridges for Caspian Universities",
    "programme": "Erasmus+ KA2",
    "role": "partner",
    "quote": "confirmed by the partner office",
}


@pytest.fixture(scope="module")
def countries():
    return load_countries()


@pytest.fixture(scope="module")
def trained(countries):
    """What a model trained on knowledge/kb.yml knows."""
    return known_forms(kb_vocabulary(load_kb(countries=countries), countries))


@pytest.fixture(scope="module")
def gazetteer(countries, trained):
    kb = load_kb(countries=countries)
    changed = kb.copy(
        update={
            "organisations": [*kb.organisations, type(kb.organisations[0]).parse_obj(KYOTO)],
            "projects": [*kb.projects, type(kb.projects[0]).parse_obj(PROJECT)],
        }
    )
    return Gazetteer.build(kb_vocabulary(changed, countries), trained)


def found(gazetteer, text, taken=()):
    return [
        (e["entity"], e["value"], text[e["start"] : e["end"]]) for e in gazetteer.find(text, taken)
    ]


def test_nothing_is_new_in_the_knowledge_base_the_model_was_trained_on(countries, trained):
    same = Gazetteer.build(kb_vocabulary(load_kb(countries=countries), countries), trained)
    assert not same and same.find("Is Tbilisi State University a partner?") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Is Kyoto Sangyō University a partner?", ("university", "Kyoto Sangyō University")),
        ("is kyoto sangyo university a partner", ("university", "Kyoto Sangyō University")),
        ("what about KSU Kyoto?", ("university", "Kyoto Sangyō University")),
        ("Киотский университет Сангё", ("university", "Kyoto Sangyō University")),
        ("Kyoto Sangyo Universty, is it in Japan?", ("university", "Kyoto Sangyō University")),
        ("who coordinates GREENBRIDGE?", ("project", "GREENBRIDGE")),
        ("tell me about green bridges for caspian universities", ("project", "GREENBRIDGE")),
        ("tell me about greenbrige", ("project", "GREENBRIDGE")),
    ],
)
def test_a_new_name_is_found_as_the_ruler_would_give_it(gazetteer, text, expected):
    assert [hit[:2] for hit in found(gazetteer, text)] == [expected]


def test_the_span_is_the_whole_name_and_the_longest_name_wins(gazetteer):
    text = "Do you work with Kyoto Sangyō University in Japan?"
    assert found(gazetteer, text) == [
        ("university", "Kyoto Sangyō University", "Kyoto Sangyō University")
    ]


def test_names_the_model_knows_and_ordinary_words_are_left_alone(gazetteer):
    for text in [
        "Who coordinates PROMIG?",
        "Is Tbilisi State University a partner?",
        "do you have partners in Japan?",
        "what are the green bridges in Baku",
        "which universities are your partners",
    ]:
        assert found(gazetteer, text) == [], text


def test_a_name_another_extractor_found_is_not_found_again(gazetteer):
    text = "Is Kyoto Sangyō University a partner?"
    assert found(gazetteer, text, taken=[(3, 8)]) == []


def test_a_message_costs_microseconds(gazetteer, countries, trained):
    """Measured: the cost of the component per message (README: well under 1 ms)."""
    empty = Gazetteer.build([], trained)
    text = "Hello, which universities in Germany and Japan can I go to with Erasmus next year?"
    for table, budget in [(empty, 0.00002), (gazetteer, 0.002)]:  # 2 ms: a loaded 2-core box
        runs = 200
        started = time.perf_counter()
        for _ in range(runs):
            table.find(text)
        per_message = (time.perf_counter() - started) / runs
        print(f"gazetteer with {len(table.names)} names: {per_message * 1e6:.1f} µs a message")
        assert per_message < budget
