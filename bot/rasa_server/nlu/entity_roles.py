"""Country roles on every parsed message: `origin` (the writer's own country) or `destination`.

Rasa's own entity roles come only from DIET or CRF, which this pipeline doesn't use; the roles
are read from the words around each name by `bot.understanding.roles.assign_roles`, with the cue
table of the message's language (the `language` the NLU puts on the parse data; when it is
unknown, the name's script or case ending decides: `cues_for`). It runs
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

from bot.kb.local_names import meanings
from bot.rasa_server.nlu.stored import ConfigComponent
from bot.understanding.roles import COUNTRY, CUES_BY_LANGUAGE, assign_roles, cues_for, demonyms


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CountryRoles(ConfigComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"language": "en"}  # the cue table when neither the message nor the name says

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        language = config.get("language", "en")
        if language not in CUES_BY_LANGUAGE:
            raise ValueError(f"no country-role cues for language {language!r}")
        self.language = language
        demonyms()  # the reference lists are read when the model loads, not on the first message
        meanings()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            countries = [entity for entity in entities if entity.get("entity") == COUNTRY]
            if countries:
                text = message.get(TEXT) or ""
                cues = self.cues_for_message(message, text, countries[0])
                with_roles = assign_roles(text, list(entities), cues)
                message.set(ENTITIES, with_roles, add_to_output=True)
        return messages

    def cues_for_message(self, message: Message, text: str, first: Dict[str, Any]):
        """The message's language's cues; else the first name's script or ending; else ours."""
        detected = message.get("language")
        code = detected.get("code") if isinstance(detected, dict) else None
        if code in CUES_BY_LANGUAGE:
            return CUES_BY_LANGUAGE[code]
        start, end = first.get("start"), first.get("end")
        name = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        cues = cues_for(None, name)
        return cues if cues is not CUES_BY_LANGUAGE["en"] else CUES_BY_LANGUAGE[self.language]
