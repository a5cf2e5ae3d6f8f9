"""Typo normaliser: maps misspelt words to the closest word of the training vocabulary.

"how mny forein studnts" shares few character n-grams with any training example and MiniLM's
word pieces of "studnts" mean little, so both feature sets miss it. This component learns the
vocabulary of the training data and writes a corrected copy of each message (NORMALIZED_TEXT)
for the featurizer and the classifier; the message text itself, entities and logs keep what
the student typed.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from functools import lru_cache
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.question_parts import QUESTION_PARTS  # split before normalising
from bot.rasa_server.nlu.stored import JsonStateComponent

NORMALIZED_TEXT = "beu_normalized_text"
WORD = re.compile(r"[a-zA-Z]+")


def word_counts(training_data: TrainingData) -> Dict[str, int]:
    """How often each (lower-cased) word occurs in the training examples."""
    return dict(
        Counter(
            word.lower()
            for message in training_data.training_examples
            for word in WORD.findall(message.get(TEXT) or "")
        )
    )


def text_for_features(message: Message) -> str:
    """What featurizers and classifiers should read: the corrected text when there is one."""
    return message.get(NORMALIZED_TEXT) or message.get(TEXT) or ""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TypoNormalizer(JsonStateComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # min_count: a word must occur this often in training to be a correction target.
        # cutoff: difflib similarity needed to correct ("forein" -> "foreign" is 0.92).
        # dominance: how much more frequent the correction must be than the word itself.
        return {"min_count": 2, "min_length": 3, "cutoff": 0.8, "dominance": 3}

    def restore(self, state: Dict[str, Any]) -> None:
        self.vocabulary: Dict[str, int] = state.get("vocabulary", {})
        minimum = self.config["min_count"]
        self._targets = sorted(w for w, n in self.vocabulary.items() if n >= minimum)
        self._correct = lru_cache(maxsize=20000)(self._closest)

    def state(self) -> Dict[str, Any]:
        return {"vocabulary": self.vocabulary}

    def train(self, training_data: TrainingData) -> Resource:
        self.restore({"vocabulary": word_counts(training_data)})
        return self.persist()

    def _closest(self, word: str) -> str:
        """A word moves to a close word that is far more frequent in training, if there is one.

        The training data has typos of its own ("forein" 4 times, "foreign" 28 times), so being
        in the vocabulary is not enough to count as correctly spelt.
        """
        if len(word) < self.config["min_length"]:
            return word
        count = self.vocabulary.get(word, 0)
        candidates = difflib.get_close_matches(
            word, self._targets, n=5, cutoff=self.config["cutoff"]
        )
        better = [
            c
            for c in candidates
            if c != word
            and self.vocabulary[c]
            >= max(self.config["min_count"], self.config["dominance"] * count)
        ]
        if not better:
            return word
        return max(
            better,
            key=lambda c: (difflib.SequenceMatcher(None, word, c).ratio(), self.vocabulary[c]),
        )

    def normalise(self, text: str, protected: List[tuple] = ()) -> str:
        """The text with misspelt words corrected; entity spans are left as typed."""

        def fix(match: re.Match) -> str:
            if any(start <= match.start() < end for start, end in protected):
                return match.group(0)
            return self._correct(match.group(0).lower())

        return WORD.sub(fix, text)

    def _process(self, messages: List[Message]) -> None:
        if not self._targets:
            return
        for message in messages:
            text = message.get(TEXT)
            if text:
                spans = [
                    (e["start"], e["end"]) for e in message.get(ENTITIES) or [] if "start" in e
                ]
                message.set(NORMALIZED_TEXT, self.normalise(text, spans))
                for part in (
                    message.get(QUESTION_PARTS) or []
                ):  # bot/rasa_server/nlu/question_parts.py
                    inside = [(s - part["start"], e - part["start"]) for s, e in spans]
                    part[NORMALIZED_TEXT] = self.normalise(part["text"], inside)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._process(messages)
        return messages
