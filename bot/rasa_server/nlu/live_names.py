"""Names staff added after training, recognised without retraining: the run-time gazetteer.

Runs after LocalNameExtractor. At training it records every name the model's EntityRuler was
compiled from (knowledge/kb.yml, the export training reads); at run time it recognises the
names of the live knowledge base (bot/kb/live.py, which polls the staff database's revision
marker in this process too) that are not among them: a partner university in Japan added in the
admin, a new project, a retired one's name. Same entity types and canonical values as the ruler,
same folding and typo handling as the knowledge index (bot/understanding/live_names.py).

The table is rebuilt in the knowledge base's reload thread, never on a message; a message reads
whichever table is current (one attribute read).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb import live
from bot.kb.index import KnowledgeIndex
from bot.rasa_server.nlu.stored import JsonStateComponent
from bot.understanding import local_entities
from bot.understanding.live_names import Gazetteer, known_forms

log = logging.getLogger(__name__)


def live_gazetteer(index: KnowledgeIndex, trained: FrozenSet[str]) -> Gazetteer:
    from bot.kb.schema import CountryList
    from bot.offline.vocabulary import kb_vocabulary

    countries = CountryList(countries=list(index.countries.values()))
    return Gazetteer.build(kb_vocabulary(index.kb, countries), trained)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LiveNameExtractor(JsonStateComponent, EntityExtractorMixin):
    def restore(self, state: Dict[str, Any]) -> None:
        self.trained: FrozenSet[str] = frozenset(state.get("trained", []))
        self.gazetteer = Gazetteer({}, 0)
        if self.trained:  # a trained model: follow the live knowledge base from now on
            self._rebuild(live.current())
            live.before_change(self._rebuild)  # ready when the new knowledge base is

    def state(self) -> Dict[str, Any]:
        return {"trained": sorted(self.trained)}

    def train(self, training_data: TrainingData) -> Resource:
        """Remember the names the ruler is compiled from: the files', never the database's."""
        from bot.kb.load import load_countries, load_kb
        from bot.offline.vocabulary import kb_vocabulary

        countries = load_countries()
        self.trained = known_forms(kb_vocabulary(load_kb(countries=countries), countries))
        return self.persist()

    def _rebuild(self, index: KnowledgeIndex) -> None:
        gazetteer = live_gazetteer(index, self.trained)
        self.gazetteer = gazetteer
        if gazetteer:
            log.info("live gazetteer: %d names the model was not trained on", len(gazetteer.names))

    def process(self, messages: List[Message]) -> List[Message]:
        gazetteer = self.gazetteer
        if not gazetteer:
            return messages
        for message in messages:
            found = gazetteer.find(message.get(TEXT) or "")
            if found:
                # a new name that contains a known one ("Tbilisi Medical University") replaces it
                entities = list(message.get(ENTITIES) or [])
                merged = local_entities.merge(entities, self.add_extractor_name(found))
                message.set(ENTITIES, merged, add_to_output=True)
        return messages
