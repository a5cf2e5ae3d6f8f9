"""How an Answer leaves the action server, and in which language: every reply of every action is
sent here, inside `speaking(reply_language(tracker))`."""

from __future__ import annotations

from typing import Any, Mapping

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Answer
from bot.answers.feedback import feedback_offered, helpful_prompt
from bot.faq.service import PREVIEW_PREFIX
from bot.i18n import SUPPORTED_LANGUAGES, untranslated_note
from bot.language.detect import answer_language

LANGUAGE_SLOT = "language"


def _detected(tracker: Tracker) -> Mapping[str, Any] | None:
    return (tracker.latest_message or {}).get(LANGUAGE_SLOT)


def reply_language(tracker: Tracker) -> str:
    """The language a staff preview asked for; else the latest message's, else (a name alone,
    "ok") the conversation's so far."""
    latest = tracker.latest_message or {}
    chosen = (latest.get("metadata") or {}).get(LANGUAGE_SLOT)
    if str(tracker.sender_id).startswith(PREVIEW_PREFIX) and chosen in SUPPORTED_LANGUAGES:
        return chosen
    return answer_language(_detected(tracker), tracker.get_slot(LANGUAGE_SLOT))


def unsupported_language(tracker: Tracker) -> str | None:
    """The code of a language we don't speak, when the latest message is clearly in one."""
    code = (_detected(tracker) or {}).get("code")
    return code if code and code not in SUPPORTED_LANGUAGES else None


def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    text = answer.text
    note = untranslated_note()  # some free text had no translation: said once, at the end
    if note:
        text = f"{text}\n\n{note}"
    if feedback_offered(answer):  # "Was this helpful?" last, just above 👍/👎
        text = f"{text}\n\n{helpful_prompt()}"
    dispatcher.utter_message(
        text=text, buttons=[{"title": b.title, "payload": b.payload} for b in answer.buttons]
    )
