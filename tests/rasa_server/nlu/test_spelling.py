"""The typo normaliser corrects misspelt words towards the training vocabulary, and only those."""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.spelling import NORMALIZED_TEXT, TypoNormalizer


@pytest.fixture()
def normaliser(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = TypoNormalizer.create(
        TypoNormalizer.get_default_config(), storage, Resource("typo"), None
    )
    examples = ["how many foreign students study here", "how many foreign students are there"]
    component.train(TrainingData([Message(data={"text": t}) for t in examples]))
    return TypoNormalizer.load(component.config, storage, Resource("typo"), None)


def test_misspelt_words_are_corrected(normaliser):
    assert normaliser.normalise("how mny forein studnts") == "how many foreign students"


def test_known_words_and_unrelated_words_are_kept(normaliser):
    assert normaliser.normalise("how many students in Baku") == "how many students in baku"


def test_entity_spans_are_left_as_typed(normaliser):
    message = Message(data={"text": "studnts from Forein", "entities": [{"start": 13, "end": 19}]})
    normaliser.process([message])
    assert message.get(NORMALIZED_TEXT) == "students from Forein"
    assert message.get("text") == "studnts from Forein"


def test_a_rare_spelling_in_training_is_treated_as_a_typo(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = TypoNormalizer.create(
        TypoNormalizer.get_default_config(), storage, Resource("t"), None
    )
    examples = [
        "foreign students",
        "foreign students here",
        "our foreign students",
        "forein studnts",
    ]
    component.train(TrainingData([Message(data={"text": t}) for t in examples]))
    assert component.normalise("forein studnts") == "foreign students"
