"""Marks the questions of a message (bot/understanding/split.py) on the parse data.

The parts travel with the message: the typo normaliser corrects each part's text, the intent
classifier gives each part its own intent, and the action server answers every part
(actions/parts.py reads `tracker.latest_message["question_parts"]`). A message that is one
question carries no parts, so everything it does stays exactly as before.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.stored import ConfigComponent
from bot.understanding.split import split_questions

QUESTION_PARTS = "question_parts"
PARTS_LEFT_OUT = "question_parts_left_out"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class QuestionSplitter(ConfigComponent):
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training examples are single questions: nothing to split

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            split = split_questions(message.get(TEXT))
            if len(split.parts) < 2 and not split.dropped:
                continue
            parts = [{"text": p.text, "start": p.start, "end": p.end} for p in split.parts]
            message.set(QUESTION_PARTS, parts, add_to_output=True)
            message.set(PARTS_LEFT_OUT, split.dropped, add_to_output=True)
        return messages
