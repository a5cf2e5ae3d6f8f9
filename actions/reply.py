"""How an Answer leaves the action server, and in which language: every reply of every action is
sent here, inside `speaking(reply_language(tracker))`."""

from __future__ import annotations

from typing import Any, Dict, Mapping

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.analytics import outcome
from bot.analytics.facts import fact_paths
from bot.answers import Answer
from bot.answers.feedback import feedback_offered, helpful_prompt
from bot.faq.service import PREVIEW_PREFIX
from bot.i18n import SUPPORTED_LANGUAGES, current_language, untranslated_note
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


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def analytics_part(intent: str | None, answer: Answer) -> Dict[str, Any]:
    """What answering one question did (bot/analytics/outcome.py)."""
    facts = fact_paths(answer.facts)
    entry = answer.faq_entries[0] if answer.faq_entries else None
    return outcome.part(intent, answer.topic, answer.known, entry, facts)


def send(
    dispatcher: CollectingDispatcher,
    answer: Answer,
    intent: str | None = None,
    *,
    counted: bool = True,
) -> None:
    """Send `answer` with its analytics metadata: one part per question it answers (the parts a
    multi-part reply collected, else this answer to `intent`). `counted=False`, or a reply
    about the conversation itself (feedback thanks): a reply to a message that asked nothing
    (an e-mail added to a handoff, a comment) carries none."""
    text = answer.text
    note = untranslated_note()  # some free text had no translation: said once, at the end
    if note:
        text = f"{text}\n\n{note}"
    if feedback_offered(answer):  # "Was this helpful?" last, just above 👍/👎
        text = f"{text}\n\n{helpful_prompt()}"
    buttons = [{"title": b.title, "payload": b.payload} for b in answer.buttons]
    extra: Dict[str, Any] = {}
    if counted and outcome.counted(answer.topic):
        parts = answer.parts or [analytics_part(intent, answer)]
        extra["analytics"] = outcome.metadata(parts, current_language(), buttons)
    dispatcher.utter_message(text=text, buttons=buttons, **extra)
