"""Students' 👍/👎 on answers: when to offer it, what a tap does, and the optional comment.

Offered on factual answers only (from the knowledge base's facts or a staff FAQ entry: never
chit-chat, greetings, the honest "not covered", fallback, out of scope, a handoff, or a
"try again" while something is unavailable), once per reply, and at most once every three
answers of a conversation: the slot `answers_since_feedback` counts answers since the last offer
(None: never offered). The offer's context (the question, the facts or FAQ entries, topic,
intent) is kept in the slot `feedback_answer` until the student taps, so a second tap stores
nothing.

A 👎 asks once "what was wrong?"; the next message is taken as the comment only when it is not a
new question (bot/understanding/feedback_comment.py), and only that very next message.
Writes go through the staff outbox (bot/staff_db/outbox.py) keyed by the student message's id,
so a locked staff database loses nothing and a retried action stores nothing twice.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Dict, List, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply import reply_language, send
from bot.answers import Answer, knowledge
from bot.answers.feedback import (
    DOWN,
    FEEDBACK_INTENT,
    SKIP,
    UP,
    ask_what_was_wrong,
    feedback_buttons,
    feedback_offered,
    noted,
    skipped,
    thanks_for_comment,
    thanks_for_up,
)
from bot.faq import service
from bot.faq.service import PREVIEW_PREFIX
from bot.i18n import current_language, speaking
from bot.kb.provenance import iter_cited
from bot.understanding.feedback_comment import is_new_question

log = logging.getLogger(__name__)
__all__ = ["ActionFeedback", "feedback_offered", "offer_feedback", "reply_to_comment"]

COUNT_SLOT = "answers_since_feedback"
OFFER_SLOT = "feedback_answer"
COMMENT_SLOT = "feedback_comment_for"  # the record key of the 👎 awaiting its comment
ANSWERS_BETWEEN_OFFERS = 3
# Topics that are never a factual answer, whatever facts they mention.
NOT_FACTUAL = {"not_covered", "fallback", "out_of_scope", "handoff", "unavailable", "language"}
# How long the action waits for a feedback write before replying anyway (it stays queued).
WRITE_WAIT_SECONDS = 0.3


def is_factual(reply: Answer) -> bool:
    """Answered from the knowledge base's facts or a staff FAQ entry."""
    if not reply.known or reply.topic in NOT_FACTUAL:
        return False
    return bool(reply.facts or reply.faq_entries)


def offer_feedback(tracker: Tracker, reply: Answer) -> List[Dict[str, Any]]:
    """Add 👍/👎 to a factual reply when it is due (after its own buttons, with a one-line
    prompt) and return the slot events that count answers; [] when nothing changes."""
    if str(tracker.sender_id).startswith(PREVIEW_PREFIX):
        return []  # a staff preview shows the answer, and its taps would not be a student's
    since = tracker.get_slot(COUNT_SLOT)
    due = since is None or since >= ANSWERS_BETWEEN_OFFERS - 1
    if is_factual(reply) and due:
        reply.buttons = [*reply.buttons, *feedback_buttons()]  # send() adds the prompt line
        offer = {
            "question": (tracker.latest_message or {}).get("text"),
            "facts": fact_paths(reply.facts),
            "faq_entries": list(reply.faq_entries),
            "topic": reply.topic,
            "intent": ((tracker.latest_message or {}).get("intent") or {}).get("name"),
            "language": current_language(),
        }
        return [SlotSet(COUNT_SLOT, 0.0), SlotSet(OFFER_SLOT, offer)]
    if since is None:
        return []
    return [SlotSet(COUNT_SLOT, float(since) + 1)]


def fact_paths(facts: Sequence[Any]) -> List[str]:
    """The knowledge-base paths of the facts an answer rests on ("projects[promig]")."""
    paths = _paths_of(knowledge().kb)
    return [paths[id(fact)] for fact in facts if id(fact) in paths]


_PATHS: Tuple[Any, Dict[int, str]] | None = None  # (the knowledge base, id(fact) -> path)


def _paths_of(kb: Any) -> Dict[int, str]:
    """Built once per knowledge base loaded (a live edit loads a new one); the reference kept
    here means an id is never reused for another fact while the map is in use."""
    global _PATHS
    if _PATHS is None or _PATHS[0] is not kb:
        _PATHS = (kb, {id(fact): path for path, fact in iter_cited(kb)})
    return _PATHS[1]


def _user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [e for e in tracker.events if e.get("event") == "user"]


def _record_key(tracker: Tracker) -> str:
    """The latest student message's id (Rasa's, random): the same message retried gives the
    same key, and it says nothing about the sender."""
    users = _user_events(tracker)
    message_id = users[-1].get("message_id") if users else None
    return f"feedback-{message_id}" if message_id else f"feedback-{uuid.uuid4().hex}"


def _value(tracker: Tracker) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "value":
            return str(entity.get("value"))
    return None


async def take_comment(tracker: Tracker) -> bool:
    """If the latest message answers "what was wrong?" (the message right after the 👎, not a new
    question), queue it as the comment of that 👎 and return True."""
    key = tracker.get_slot(COMMENT_SLOT)
    users = _user_events(tracker)
    if not key or len(users) < 2:
        return False
    before = users[-2].get("parse_data") or {}
    if (before.get("intent") or {}).get("name") != FEEDBACK_INTENT:
        return False  # not the very next message after the 👎
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    if is_new_question(
        message.get("text"),
        intent.get("name"),
        intent.get("confidence"),
        message.get("entities") or [],
        message.get("question_parts") or [],
    ):
        return False
    data = {"feedback_key": key, "sender": tracker.sender_id, "text": message.get("text")}
    await _write("feedback_comment", data, None)
    return True


async def reply_to_comment(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[Dict[str, Any]] | None:
    """Thank the student for their "what was wrong" and store it; None when the latest message
    is not that comment (answer it as usual)."""
    if not await take_comment(tracker):
        return None
    send(dispatcher, thanks_for_comment())
    return [SlotSet(COMMENT_SLOT, None)]


async def _write(kind: str, data: Dict[str, Any], key: str | None) -> None:
    try:
        record, _ = await service.staff_outbox().put_and_wait(kind, data, WRITE_WAIT_SECONDS, key)
    except Exception:  # never costs the student their reply
        log.exception("feedback could not be queued")
        return
    if record is None:
        log.error("the staff outbox is full: a student's %s was not stored", kind)


class ActionFeedback(Action):
    """A tap on 👍, 👎 or Skip."""

    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        with speaking(reply_language(tracker)):
            value = _value(tracker)
            if value == SKIP:
                send(dispatcher, skipped())
                return [SlotSet(COMMENT_SLOT, None)]
            if value not in (UP, DOWN):
                return []
            offer = tracker.get_slot(OFFER_SLOT)
            if not isinstance(offer, dict):
                # a second tap on the same answer, or a typed "/feedback": nothing to store
                send(dispatcher, noted())
                return []
            key = _record_key(tracker)
            data = {
                "language": current_language(),
                **offer,
                "value": value,
                "sender": tracker.sender_id,
                "channel": tracker.get_latest_input_channel() or "unknown",
            }
            await _write("feedback", data, key)
            events: List[Dict[str, Any]] = [SlotSet(OFFER_SLOT, None)]
            if value == UP:
                send(dispatcher, thanks_for_up())
                return [*events, SlotSet(COMMENT_SLOT, None)]
            send(dispatcher, ask_what_was_wrong())
            return [*events, SlotSet(COMMENT_SLOT, key)]
