"""The language of every parsed message, on the parse data (bot/language/detect.py).

`message.set("language", {"code": "ru" | None, "alternatives": [...]})` travels to the tracker's
`latest_message`, where the conversation's language is resolved (`bot.language.detect.resolve`:
an undecidable "Erasmus?" or an az/tr tie keeps the conversation's language). It runs first, on
the text as the student typed it, before any component rewrites it.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.detect import detect, warm_up
from bot.rasa_server.nlu.stored import ConfigComponent

LANGUAGE = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class LanguageDetector(ConfigComponent):
    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        warm_up()  # names and the model load with the model, not on the first message

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the intent classifier doesn't read the language

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            detected = detect(message.get(TEXT) or "")
            message.set(LANGUAGE, detected.as_dict(), add_to_output=True)
        return messages
