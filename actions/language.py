"""The student chooses the language: the widget's switch sends `/set_language{"language":"ru"}`,
and a typed "can you answer in Russian?" is the same intent.

The action sets the `language` slot (the conversation's language, which the next answers
follow until the student writes in another one) and greets in the chosen language: the domain's
`utter_greet`, its text and button titles through the reply catalogues (domain.po), so the
greeting and its suggestions exist once, in domain.yml. The reply says which language it is in
(`language`), so the widget shows its own strings in it too.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Dict, List, Mapping

import yaml
from babel import Locale
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply import latest_intent
from bot.analytics.outcome import chitchat, metadata
from bot.i18n import SUPPORTED_LANGUAGES, _, speaking
from bot.language.bm25 import fold
from bot.language.detect import answer_language
from bot.paths import ROOT

GREETING = "utter_greet"
_WORD = re.compile(r"\w+")


@cache
def _name_stems() -> Dict[str, tuple[str, ...]]:
    """language -> the stems of its name in every language we speak, folded ("russ", "русс",
    "rus"), from CLDR (Babel): short enough that "на русском", "Rusça", "по-русски" match."""
    stems: Dict[str, set] = {language: set() for language in SUPPORTED_LANGUAGES}
    for writer in SUPPORTED_LANGUAGES:
        names = Locale.parse(writer).languages
        for language in SUPPORTED_LANGUAGES:
            first_word = fold(names[language]).split()[0]
            stems[language].add(first_word[: max(3, len(first_word) - 3)])
    return {language: tuple(sorted(found)) for language, found in stems.items()}


def language_named_in(text: str) -> str | None:
    """The one language we speak that `text` names ("answer in Turkish", "по-русски"), else None
    (none, or several: "not in English but in Russian" is left to the entity or the slot)."""
    named = {
        language
        for word in _WORD.findall(fold(text))
        for language, stems in _name_stems().items()
        if any(word.startswith(stem) for stem in stems)
    }
    return named.pop() if len(named) == 1 else None


def chosen_language(tracker: Tracker) -> str:
    """The payload's entity, else a language the message names, else the message's own
    language (a Russian "можно на другом языке?"), else the conversation's."""
    entity = next(tracker.get_latest_entity_values("language"), None)
    if entity in SUPPORTED_LANGUAGES:
        return entity
    message = tracker.latest_message or {}
    named = language_named_in(message.get("text") or "")
    if named:
        return named
    previous = tracker.get_slot("language")
    return answer_language(message.get("language"), previous if isinstance(previous, str) else None)


@cache
def _domain_file_responses() -> Mapping[str, Any]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    return domain.get("responses") or {}


def greeting(domain: Mapping[str, Any]) -> Dict[str, Any] | None:
    """The domain's greeting (its first variation): from the domain Rasa sent, else from
    domain.yml (Rasa 3.6 leaves the responses out of what it sends the action server)."""
    responses = domain.get("responses") or _domain_file_responses()
    variations = responses.get(GREETING) or []
    return variations[0] if variations else None


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language = chosen_language(tracker)
        greet = greeting(domain)
        analytics = metadata([chitchat(latest_intent(tracker))], language)
        with speaking(language):
            if greet and greet.get("text"):
                buttons = [
                    {"title": _(button["title"]), "payload": button["payload"]}
                    for button in greet.get("buttons") or []
                ]
                dispatcher.utter_message(
                    text=_(greet["text"]), buttons=buttons, language=language, analytics=analytics
                )
            else:  # no greeting in the domain: Rasa's NLG renders it (in the slot's language)
                dispatcher.utter_message(response=GREETING, language=language, analytics=analytics)
        return [SlotSet("language", language)]
