"""The entity vocabulary and the spaCy EntityRuler are compiled from knowledge/ alone."""

import pytest
import spacy

from bot.kb.load import load_countries, load_kb
from bot.offline.generate import rasa_entity_data, write_spacy_pipeline
from bot.offline.vocabulary import build_vocabulary


@pytest.fixture(scope="module")
def vocabulary():
    return build_vocabulary(load_kb(), load_countries())


@pytest.fixture(scope="module")
def nlp(vocabulary, tmp_path_factory):
    return spacy.load(write_spacy_pipeline(vocabulary, tmp_path_factory.mktemp("m") / "p"))


def entities(nlp, text):
    return [(e.label_, e.ent_id_) for e in nlp(text).ents]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("partners in Japan?", [("country", "Japan")]),
        ("are there nigerian students", [("country", "Nigeria")]),
        ("polish universities and Turkish ones", [("country", "Poland"), ("country", "Turkey")]),
        ("who coordinates pawer", [("project", "PAWER")]),
        ("University of Montpellierdir", [("university", "University of Montpellier")]),
        ("fulbrayt help?", [("scholarship", "Fulbright")]),
        ("students from the US", [("country", "United States")]),
        ("tell us more", []),  # lower-case "us" is not a country
        ("programmes taught in English", []),  # the language, not England
        ("partners in South Sudan", [("country", "South Sudan")]),  # longest match wins
    ],
)
def test_entity_ruler(nlp, text, expected):
    assert entities(nlp, text) == expected


def test_synonyms_map_typos_and_demonyms_to_canonical_values(vocabulary):
    synonyms = {
        example[2:]: block["synonym"]
        for block in rasa_entity_data(vocabulary)["nlu"]
        if "synonym" in block
        for example in block["examples"].splitlines()
    }
    assert synonyms["polish"] == "Poland"
    assert synonyms["linkopings university"] == "Linköping University"
    assert synonyms["british consulate"] == "British Council"
    assert synonyms["fulbrayt"] == "Fulbright"
    assert synonyms["braganca"] == "Polytechnic Institute of Bragança"


def test_a_new_partner_in_the_knowledge_base_is_recognised(vocabulary):
    kb = load_kb()
    org = kb.organisations[0].copy(update={"id": "new", "name": "Kyoto Uni", "aliases": []})
    kb = kb.copy(update={"organisations": [*kb.organisations, org]})
    names = {e.value for e in build_vocabulary(kb, load_countries()) if e.label == "university"}
    assert "Kyoto Uni" in names


def test_every_world_country_is_in_the_lookup(vocabulary):
    lookup = next(b for b in rasa_entity_data(vocabulary)["nlu"] if b.get("lookup") == "country")
    names = lookup["examples"]
    assert len(load_countries().countries) >= 195
    for name in ("japan", "brazil", "nigeria", "latvia", "myanmar"):
        assert f"- {name}\n" in names
