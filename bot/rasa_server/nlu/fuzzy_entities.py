"""Fuzzy entity extraction for misspelt names ("Germny", "promg", "ukrane").

The spaCy EntityRuler matches the knowledge base's names exactly. This extractor runs after it
and looks at the words it left alone: a word that is not an ordinary word of the training data
and is close to a one-word name (same first letter, difflib ratio >= cutoff) becomes that
entity, with its canonical value. The names come from the same generated EntityRuler patterns,
so the two extractors never disagree about what a name is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.textfold import closest_unambiguous, similarity
from bot.rasa_server.nlu.spelling import WORD, word_counts
from bot.rasa_server.nlu.stored import JsonStateComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class FuzzyEntityExtractor(JsonStateComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "patterns": "build/spacy_beu/entity_ruler/patterns.jsonl",
            "cutoff": 0.84,
            "min_length": 5,
            "common_word_count": 2,  # words seen this often in training are ordinary words
        }

    def restore(self, state: Dict[str, Any]) -> None:
        self.names: Dict[str, Tuple[str, str]] = {
            form: tuple(target) for form, target in state.get("names", {}).items()
        }
        self.common = set(state.get("common", []))
        self._by_initial: Dict[str, List[str]] = {}
        for form in sorted(self.names):
            self._by_initial.setdefault(form[0], []).append(form)

    def state(self) -> Dict[str, Any]:
        return {"names": self.names, "common": sorted(self.common)}

    @staticmethod
    def one_word_names(patterns_file: Path) -> Dict[str, Tuple[str, str]]:
        """form -> (entity label, canonical value), for single-token case-insensitive patterns."""
        names: Dict[str, Tuple[str, str]] = {}
        for line in patterns_file.read_text(encoding="utf-8").splitlines():
            pattern = json.loads(line)
            tokens = pattern["pattern"]
            if len(tokens) == 1 and "LOWER" in tokens[0] and tokens[0]["LOWER"].isalpha():
                names.setdefault(tokens[0]["LOWER"], (pattern["label"], pattern["id"]))
        return names

    def train(self, training_data: TrainingData) -> Resource:
        names = self.one_word_names(Path(self.config["patterns"]))
        counts = word_counts(training_data)
        common_count = self.config["common_word_count"]
        common = [w for w, n in counts.items() if n >= common_count and w not in names]
        self.restore({"names": names, "common": common})
        return self.persist()

    def match(self, word: str) -> Tuple[str, str, float] | None:
        """(label, value, similarity) of the name this misspelt word most likely means."""
        word = word.lower()
        if len(word) < self.config["min_length"] or word in self.common or word in self.names:
            return None
        candidates = self._by_initial.get(word[0], [])
        close = closest_unambiguous(word, candidates, self.names.__getitem__, self.config["cutoff"])
        if close is None:
            return None  # not a name, or as close to two ("latians": Latvians or Laotians?)
        label, value = self.names[close]
        return label, value, similarity(word, close)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.names:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            entities = list(message.get(ENTITIES) or [])
            taken = [(e["start"], e["end"]) for e in entities if "start" in e]
            found = []
            for word in WORD.finditer(text):
                if any(start < word.end() and word.start() < end for start, end in taken):
                    continue
                hit = self.match(word.group(0))
                if hit:
                    label, value, similarity = hit
                    found.append(
                        {
                            "entity": label,
                            "value": value,
                            "start": word.start(),
                            "end": word.end(),
                            "confidence_entity": round(similarity, 3),
                        }
                    )
            if found:
                message.set(ENTITIES, entities + self.add_extractor_name(found), add_to_output=True)
        return messages
