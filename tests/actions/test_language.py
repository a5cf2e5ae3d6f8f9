"""Which language an action answers in: the latest message's, else the conversation's (the
`language` slot, which follows the student), a staff preview's choice, and for a language we
don't speak, a reply that says which four we do."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from actions.programmes import ActionEnglishProgrammes
from tests.helpers import create_tracker, run_action


def ask(
    text: str, detected: Dict[str, Any] | None, slots: Dict[str, Any] | None = None, **kw: Any
) -> tuple[str, Dict[str, Any]]:
    tracker = create_tracker(text, "ask_english_programmes", slots=slots, **kw)
    if detected is not None:
        tracker.latest_message["language"] = detected
    messages, set_slots = run_action(ActionEnglishProgrammes(), tracker)
    return messages[0]["text"], set_slots


def cyrillic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("а" <= c.lower() <= "я" or c in "ёЁ" for c in letters) / max(1, len(letters))


def test_a_russian_message_is_answered_in_russian_and_the_slot_follows():
    text, slots = ask("какие программы на английском?", {"code": "ru", "alternatives": []})
    assert cyrillic_share(text) > 0.6
    assert slots["language"] == "ru"


def test_an_undecidable_message_keeps_the_conversations_language():
    text, slots = ask("BEU?", {"code": None, "alternatives": []}, slots={"language": "tr"})
    assert "İngilizce" in text or "ngilizce" in text
    assert "language" not in slots  # unchanged: nothing to set


def test_a_switch_mid_conversation_is_followed():
    text, slots = ask("programmes in English?", {"code": "en", "alternatives": []},
                      slots={"language": "ru"})  # fmt: skip
    assert cyrillic_share(text) < 0.05
    assert slots["language"] == "en"


def test_az_or_tr_ambiguity_is_settled_by_the_conversation():
    _, slots = ask("ingilis dilinde programlar", {"code": "tr", "alternatives": ["az"]},
                   slots={"language": "az"})  # fmt: skip
    assert "language" not in slots  # stays az


@pytest.mark.parametrize("code", ["fa", "zh", "de"])
def test_a_language_we_dont_speak_gets_the_four_we_do(code: str):
    text, slots = ask("...", {"code": code, "alternatives": []}, slots={"language": "ru"})
    assert "English, Azerbaijani, Russian and Turkish" in text  # the English line
    assert "русский" in text and "Türkçe" in text and "azərbaycan" in text  # CLDR's names
    assert "language" not in slots  # the conversation stays Russian


def test_a_staff_preview_answers_in_the_language_staff_chose():
    tracker_kw = {"sender_id": "staff-preview-" + "a" * 32}
    tracker = create_tracker("programmes in English?", "ask_english_programmes", **tracker_kw)
    tracker.latest_message["language"] = {"code": "en", "alternatives": []}
    tracker.latest_message["metadata"] = {"staff_preview": True, "language": "ru"}
    messages, slots = run_action(ActionEnglishProgrammes(), tracker)
    assert cyrillic_share(messages[0]["text"]) > 0.6 and slots["language"] == "ru"
    # the same metadata from a student's own channel is not a choice they can force this way
    tracker = create_tracker("programmes in English?", "ask_english_programmes")
    tracker.latest_message["language"] = {"code": "en", "alternatives": []}
    tracker.latest_message["metadata"] = {"language": "ru"}
    messages, _ = run_action(ActionEnglishProgrammes(), tracker)
    assert cyrillic_share(messages[0]["text"]) < 0.05
