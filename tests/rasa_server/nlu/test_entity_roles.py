"""The CountryRoles component puts each country's role on the parsed message: in-process on
entities from the real EntityRuler, and through the trained model's whole pipeline."""

from __future__ import annotations

import asyncio

import pytest
import spacy
from rasa.shared.nlu.training_data.message import Message

from bot import paths
from bot.rasa_server.nlu.entity_roles import CountryRoles


@pytest.fixture(scope="module")
def nlp():
    if not (paths.SPACY_PIPELINE / "meta.json").exists():
        pytest.fail("run `make kb` first: the roles are read around the EntityRuler's entities")
    return spacy.load(paths.SPACY_PIPELINE)


def parsed(nlp, text: str) -> Message:
    entities = [
        {"entity": e.label_, "value": e.ent_id_, "start": e.start_char, "end": e.end_char}
        for e in nlp(text).ents
    ]
    return Message(data={"text": text, "entities": entities})


def test_the_component_sets_each_countrys_role(nlp):
    message = parsed(nlp, "I'm from Moldova. Any Moldovan students? And partners in Poland?")
    CountryRoles.create({}, None, None, None).process([message])
    assert [(e["value"], e.get("role")) for e in message.get("entities")] == [
        ("Moldova", "origin"),
        ("Moldova", None),
        ("Poland", "destination"),
    ]
    assert "entities" in message.as_dict(only_output_properties=True)


def test_messages_without_countries_are_left_as_they_are(nlp):
    message = parsed(nlp, "who coordinates PAWER?")
    before = message.get("entities")
    CountryRoles.create({}, None, None, None).process([message])
    assert message.get("entities") is before
    empty = Message(data={"text": ""})
    CountryRoles.create({}, None, None, None).process([empty])
    assert not empty.get("entities")


def test_an_unknown_language_is_refused_when_the_model_loads():
    with pytest.raises(ValueError, match="xx"):
        CountryRoles.create({"language": "xx"}, None, None, None)


@pytest.mark.heavy
@pytest.mark.xdist_group("trained-agent")
def test_the_trained_pipeline_returns_roles(trained_agent):
    text = "Hello, I'm from Kazan, Russia. Are there Russian students? Any partners in Germny?"
    result = asyncio.run(trained_agent.parse_message(text))
    countries = [
        (e["value"], e.get("role")) for e in result["entities"] if e["entity"] == "country"
    ]
    # canonical values (EntitySynonymMapper ran first); the misspelt "Germny" too
    assert sorted(countries, key=str) == sorted(
        [("Russia", "origin"), ("Russia", None), ("Germany", "destination")], key=str
    )
