"""Country roles on every parsed message: `origin` (the writer's own country) or `destination`.

Rasa's own entity roles come only from DIET or CRF, which this pipeline doesn't use; the roles
are read from the words around each name by `bot.understanding.roles.assign_roles`. It runs
after EntitySynonymMapper, so the values are canonical, and sets Rasa's standard `role`
attribute, which the actions read from `tracker.latest_message["entities"]`. Note that
`tracker.get_latest_entity_values("country")` and slot mappings without a role skip entities
that carry one.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.nlu.stored import ConfigComponent
from bot.understanding.roles import COUNTRY, CUES_BY_LANGUAGE, assign_roles, demonyms


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CountryRoles(ConfigComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"language": "en"}  # which cue table of bot.understanding.roles to use

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        language = config.get("language", "en")
        if language not in CUES_BY_LANGUAGE:
            raise ValueError(f"no country-role cues for language {language!r}")
        self.cues = CUES_BY_LANGUAGE[language]
        demonyms()  # the reference list is read when the model loads, not on the first message

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if any(entity.get("entity") == COUNTRY for entity in entities):
                with_roles = assign_roles(message.get(TEXT) or "", list(entities), self.cues)
                message.set(ENTITIES, with_roles, add_to_output=True)
        return messages
