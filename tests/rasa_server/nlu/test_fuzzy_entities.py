"""Misspelt names still become entities with their canonical value; ordinary words do not."""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import paths
from bot.rasa_server.nlu.fuzzy_entities import FuzzyEntityExtractor


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    patterns = paths.SPACY_PIPELINE / "entity_ruler" / "patterns.jsonl"
    if not patterns.exists():
        pytest.fail("run `make kb` first: the extractor reads the generated EntityRuler patterns")
    storage = LocalModelStorage(tmp_path_factory.mktemp("fuzzy"))
    config = {**FuzzyEntityExtractor.get_default_config(), "patterns": str(patterns)}
    component = FuzzyEntityExtractor.create(config, storage, Resource("fuzzy"), None)
    examples = ["which women study here", "what is the deadline", "students from here"]
    component.train(TrainingData([Message(data={"text": t}) for t in examples]))
    return FuzzyEntityExtractor.load(config, storage, Resource("fuzzy"), None)


def extract(extractor, text, entities=()):
    message = Message(data={"text": text, "entities": list(entities)})
    extractor.process([message])
    return [(e["entity"], e["value"]) for e in message.get("entities")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("partners in Germny?", [("country", "Germany")]),
        ("who coordinates promg", [("project", "PROMIG")]),
        ("students from ukrane", [("country", "Ukraine")]),
        ("any studens from itally", [("country", "Italy")]),
    ],
)
def test_misspelt_names_are_found(extractor, text, expected):
    assert extract(extractor, text) == expected


@pytest.mark.parametrize(
    "text", ["which women study here", "what is the deadline", "tell me more", "woman"]
)
def test_ordinary_words_are_not_names(extractor, text):
    assert extract(extractor, text) == []


def test_words_inside_an_existing_entity_are_left_alone(extractor):
    existing = [{"entity": "country", "value": "Germany", "start": 12, "end": 18}]
    assert extract(extractor, "partners in Germny", existing) == [("country", "Germany")]


def test_a_typo_as_close_to_two_names_is_not_guessed(extractor):
    assert extract(extractor, "any latians here?") == []  # Latvians? Laotians?
    assert extract(extractor, "any latvans here?") == [("country", "Latvia")]
