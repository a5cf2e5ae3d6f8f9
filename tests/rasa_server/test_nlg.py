"""Domain responses in the conversation's language (bot/rasa_server/nlg.py): Rasa picks the
response, the catalogue translates its text and buttons; a language we don't speak gets the
four-language reply."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server.nlg import CatalogueNLG
from tests.helpers import run_coroutine

DOMAIN = Domain.load("domain.yml")


def greet(language: Dict[str, Any] | None, slot: str | None = None) -> Dict[str, Any]:
    tracker = DialogueStateTracker.from_events("s", [], slots=DOMAIN.slots)
    if slot:
        tracker.update(SlotSet("language", slot))
    tracker.update(UserUttered("...", {"name": "greet"}, parse_data={"language": language}))
    nlg = CatalogueNLG(None, DOMAIN)
    return run_coroutine(nlg.generate("utter_greet", tracker, "rest"))


def test_english_stays_as_the_domain_writes_it():
    english = DOMAIN.responses["utter_greet"][0]
    reply = greet({"code": "en", "alternatives": []})
    assert reply["text"] == english["text"]
    assert [b["title"] for b in reply["buttons"]] == [b["title"] for b in english["buttons"]]


@pytest.mark.parametrize(("code", "letters"), [("ru", "Здравствуйте"), ("tr", "Merhaba")])
def test_the_greeting_and_its_buttons_follow_the_message(code: str, letters: str):
    reply = greet({"code": code, "alternatives": []})
    english = DOMAIN.responses["utter_greet"][0]
    assert reply["text"] != english["text"] and letters.lower()[:4] in reply["text"].lower()
    titles = [b["title"] for b in reply["buttons"]]
    assert not set(titles) & {b["title"] for b in english["buttons"]}
    assert [b["payload"] for b in reply["buttons"]] == [b["payload"] for b in english["buttons"]]


def test_an_undecidable_message_uses_the_conversations_language():
    reply = greet({"code": None, "alternatives": []}, slot="az")
    assert "ə" in reply["text"]


def test_a_greeting_in_persian_gets_the_four_languages():
    reply = greet({"code": "fa", "alternatives": []})
    assert "English, Azerbaijani, Russian and Turkish" in reply["text"]
