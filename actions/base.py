"""What every answer action does: build an Answer from the knowledge base, send it, remember it.

Subclasses only say which answer to build. Entities of the latest message win over slots, and
slots (context) are used only by intents that make sense without naming their subject
("who coordinates it?").
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import add_contact_to_handoff
from actions.reply import send
from bot.answers import Answer
from bot.answers.base import lookup_unavailable
from bot.answers.handoff import HANDOFF_BUTTON, contact_added
from bot.faq.service import faq_answer, faq_warming, record_unanswered

FAILURES_BEFORE_HANDOFF_BUTTON = 2


class AnswerAction(Action, ABC):
    """Abstract, so rasa-sdk registers only the concrete actions."""

    action_name: str = ""
    # Search the staff's published FAQ first: for messages the model did not place, and for
    # practical questions the page doesn't answer, a staff answer beats "I don't know".
    consult_faq: bool = False

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    def answer(self, tracker: Tracker) -> Answer: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        added = await add_contact_to_handoff(tracker)
        if added is not None:
            send(dispatcher, contact_added(queued=added.outcome == "queued"))
            return [SlotSet("handoff_id", None)]
        text = tracker.latest_message.get("text")
        reply = await faq_answer(text) if self.consult_faq else None
        if reply is None:
            reply = self.answer(tracker)
        if self.consult_faq and not reply.known and faq_warming():
            # A staff answer may exist but is not loaded yet (a restarted action server): say
            # "try again", not "not covered", and keep it out of the inbox.
            send(dispatcher, lookup_unavailable())
            return []
        if not reply.known:
            await record_question(tracker)
        failures = count_failure(tracker, answered=reply.known)
        if failures >= FAILURES_BEFORE_HANDOFF_BUTTON and HANDOFF_BUTTON not in reply.buttons:
            reply.buttons = [*reply.buttons, HANDOFF_BUTTON]
        send(dispatcher, reply)
        events = [SlotSet("topic", reply.topic), SlotSet("failed_answers", float(failures))]
        events += [SlotSet(name, value) for name, value in reply.subject.items()]
        return events


def count_failure(tracker: Tracker, answered: bool) -> int:
    """Unanswered questions in a row; an answer resets it."""
    if answered:
        return 0
    return int(tracker.get_slot("failed_answers") or 0) + 1


def guessed_intent(tracker: Tracker) -> tuple[str | None, float | None]:
    """The model's best real guess: under nlu_fallback, the top intent it was unsure of."""
    message = tracker.latest_message or {}
    ranking = [
        i for i in message.get("intent_ranking") or [] if i.get("name") != "nlu_fallback"
    ] or [message.get("intent") or {}]
    return ranking[0].get("name"), ranking[0].get("confidence")


async def record_question(tracker: Tracker) -> None:
    """The latest message goes to the staff inbox as unanswered (queued while the staff
    database is busy: bot/staff_db/outbox.py)."""
    intent, confidence = guessed_intent(tracker)
    await record_unanswered(
        tracker.latest_message.get("text"),
        tracker.get_latest_input_channel(),
        intent,
        confidence,
        tracker.sender_id,
    )


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The entity as said in the latest message (after synonym mapping), if any, whatever its
    role: the NLU puts a role on countries (bot/rasa_server/nlu/entity_roles.py) and
    `tracker.get_latest_entity_values` would skip every entity that has one."""
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == entity and found.get("value") is not None:
            return str(found["value"])
    return None


ORIGIN = re.compile(
    r"\b(i'?m|i am|im|me|student|students|citizen|citizens|people)\s+from\s+(the\s+)?$", re.I
)


def destination_country(tracker: Tracker) -> str | None:
    """A country named as a destination or partner, not as where the student comes from:
    in "exchange options for a student from Kazakhstan", Kazakhstan is not the question."""
    text = tracker.latest_message.get("text") or ""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") != "country":
            continue
        start = entity.get("start")
        if start is not None and ORIGIN.search(text[:start]):
            continue
        return str(entity["value"])
    return None


def organisation_named(tracker: Tracker) -> str | None:
    """A university or other organisation named in the latest message."""
    return latest_entity(tracker, "university") or latest_entity(tracker, "organisation")
