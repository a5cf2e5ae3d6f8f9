"""Domain responses (greeting, help, thanks...) in the conversation's language.

Rasa picks the response as usual (TemplatedNaturalLanguageGenerator); its English text and button
titles are msgids of the `domain` catalogue (bot/i18n/locales/<lang>/LC_MESSAGES/domain.po), looked
up for the language of the latest message, else of the conversation (slot `language`).
Configured by class path in endpoints.yml (`nlg: type: bot.rasa_server.nlg.CatalogueNLG`).
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from bot.analytics.outcome import chitchat, metadata
from bot.answers.languages import unsupported_language
from bot.i18n import SUPPORTED_LANGUAGES, _, speaking
from bot.language.detect import answer_language

LANGUAGE_SLOT = "language"


def conversation_language(tracker: DialogueStateTracker) -> str:
    parse_data = tracker.latest_message.parse_data if tracker.latest_message else {}
    return answer_language(parse_data.get(LANGUAGE_SLOT), tracker.get_slot(LANGUAGE_SLOT))


def _unsupported(tracker: DialogueStateTracker) -> str | None:
    parse_data = tracker.latest_message.parse_data if tracker.latest_message else {}
    code = (parse_data.get(LANGUAGE_SLOT) or {}).get("code")
    return code if code and code not in SUPPORTED_LANGUAGES else None


class CatalogueNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None) -> None:
        super().__init__(domain.responses if domain is not None else {})

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Dict[str, Any] | None:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if not response:
            return response
        other = _unsupported(tracker)
        if other is not None:  # a greeting in Persian: say which languages we speak
            return {"text": unsupported_language(other).text}
        language = conversation_language(tracker)
        with speaking(language):
            if response.get("text"):
                response["text"] = _(response["text"])
            for button in response.get("buttons") or []:
                button["title"] = _(button["title"])
        # a greeting, thanks, help: counted as chit-chat (an action's own metadata, passed in
        # its kwargs, replaces this one: rasa merges the action's message over the response)
        intent = (
            (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        )
        response["analytics"] = metadata(
            [chitchat(intent)], language, response.get("buttons") or []
        )
        return response
