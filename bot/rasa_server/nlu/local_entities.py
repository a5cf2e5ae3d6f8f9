"""Names in Azerbaijani, Russian and Turkish, with their case endings ("в Польше", "Polonya'da",
"Polşadan", "İranlıyam"), as entities with their canonical value.

Runs right after SpacyEntityExtractor: the EntityRuler knows the English vocabulary, this
extractor the local forms that `make kb` writes to build/local_names.json (country names from
CLDR and their case forms by rule, the knowledge base's Cyrillic aliases declined; see
bot/kb/local_names.py). The table is read at training and kept in the model, so a model and
its names never disagree. A look-up per run of words (bot/understanding/local_entities.py), not
~32,000 EntityRuler patterns: those took 10 s to load or multiplied the parse time by six.
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

from bot.rasa_server.nlu.stored import JsonStateComponent
from bot.understanding import local_entities


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LocalNameExtractor(JsonStateComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"table": "build/local_names.json"}

    def restore(self, state: Dict[str, Any]) -> None:
        self.table: Dict[str, Tuple[str, str]] = {
            form: (target[0], target[1]) for form, target in state.get("names", {}).items()
        }  # the ending's meaning (target[2]) is read by the role cues from the same table

    def state(self) -> Dict[str, Any]:
        return {"names": {form: list(target) for form, target in self.table.items()}}

    def train(self, training_data: TrainingData) -> Resource:
        table = json.loads(Path(self.config["table"]).read_text(encoding="utf-8"))
        self.restore({"names": table})
        return self.persist()

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.table:
            return messages
        for message in messages:
            found = local_entities.find(message.get(TEXT) or "", self.table)
            if found:
                for entity in found:
                    entity["confidence_entity"] = 1.0
                entities = list(message.get(ENTITIES) or [])
                merged = local_entities.merge(entities, self.add_extractor_name(found))
                message.set(ENTITIES, merged, add_to_output=True)
        return messages
