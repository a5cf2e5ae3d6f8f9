"""The LanguageDetector component puts each message's language on the parse data: in-process,
and through the trained model's whole pipeline (Agent.load)."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.entity_roles import CountryRoles
from bot.rasa_server.nlu.language import LanguageDetector
from bot.rasa_server.nlu.question_parts import QuestionSplitter
from bot.rasa_server.nlu.stored import ConfigComponent


def test_every_message_gets_its_language_on_the_output():
    messages = [
        Message(data={"text": "kakie programmy est na angliyskom"}),
        Message(data={"text": "erasmus var mi"}),
        Message(data={"text": "Erasmus?"}),
        Message(data={"text": ""}),
        Message(data={}),
    ]
    LanguageDetector.create({}, None, None, None).process(messages)
    languages = [m.as_dict(only_output_properties=True).get("language") for m in messages]
    assert languages[0] == {"code": "ru", "alternatives": []}
    assert languages[1]["code"] in ("az", "tr") and len(languages[1]["alternatives"]) == 1
    assert languages[2:] == [{"code": None, "alternatives": []}] * 3


def test_training_data_is_left_alone():
    data = TrainingData([Message(data={"text": "salam", "intent": "greet"})])
    assert LanguageDetector.create({}, None, None, None).process_training_data(data) is data
    assert data.training_examples[0].get("language") is None


def test_the_config_only_components_share_one_base():
    for component in (LanguageDetector, QuestionSplitter, CountryRoles):
        assert issubclass(component, ConfigComponent)
        built = component.create({}, None, None, None)
        assert built.config == component.get_default_config()
    assert CountryRoles.create({"language": "en"}, None, None, None).config == {"language": "en"}


@pytest.mark.heavy
@pytest.mark.xdist_group("trained-agent")
def test_the_trained_pipeline_returns_the_language(trained_agent):
    for text, code in [
        ("Сколько стоит обучение?", "ru"),
        ("hansi olkelerle mubadile proqramlari var", "az"),
        ("yabanci ogrenciler icin burs var mi", "tr"),
        ("Do you have partners in Poland?", "en"),
        ("هزینه تحصیل چقدر است؟", "fa"),
        ("MAGNUS??", None),
    ]:
        result = asyncio.run(trained_agent.parse_message(text))
        assert result["language"]["code"] == code, (text, result["language"])
