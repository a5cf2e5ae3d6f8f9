"""The cascade's stage-2 encoder setting (bot/rasa_server/nlu/linear_classifier.py): which
encoder a message goes to, and the language it is judged by."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.nlu.linear_classifier import LinearIntentClassifier, message_language


def classifier(encoder: str) -> LinearIntentClassifier:
    config = {**LinearIntentClassifier.get_default_config(), "stage2_encoder": encoder}
    return LinearIntentClassifier(config, model_storage=None, resource=None)


@pytest.mark.parametrize(
    ("encoder", "language", "expected"),
    [
        ("minilm", "ru", "minilm"),
        ("e5", "en", "e5"),
        ("routed", "ru", "e5"),
        ("routed", "az", "e5"),
        ("routed", "fa", "e5"),
        ("routed", "en", "minilm"),
        ("routed", None, "minilm"),  # undecidable ("Erasmus?"): the English model, as before
    ],
)
def test_stage_two_reads_each_message_with_the_configured_encoder(encoder, language, expected):
    assert classifier(encoder)._encoder_for(language) == expected


def test_an_unknown_encoder_is_refused():
    with pytest.raises(ValueError, match="stage2_encoder"):
        classifier("bert")


def test_the_parse_datas_language_is_used_when_the_pipeline_detected_it():
    message = Message({"text": "what about Erasmus", "language": {"code": "tr"}})
    assert message_language(message) == "tr"


def test_without_it_the_message_is_detected_here():
    assert message_language(Message({"text": "Сколько иностранных студентов?"})) == "ru"
    assert message_language(Message({"text": "Erasmus?"})) is None
