"""What every answer action does: build an Answer from the knowledge base, send it, remember it.

Subclasses only say which answer to build. Entities of the latest message win over slots, and
slots (context) are used only by intents that make sense without naming their subject
("who coordinates it?").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import COMMENT_SLOT, offer_feedback, reply_to_comment
from actions.handoff import add_contact_to_handoff
from actions.question import Question
from actions.reply import (
    LANGUAGE_SLOT,
    latest_intent,
    reply_language,
    send,
    unsupported_language,
)
from bot.answers import Answer
from bot.answers.base import lookup_unavailable
from bot.answers.handoff import contact_added, handoff_button
from bot.answers.languages import unsupported_language as unsupported_language_reply
from bot.faq.service import faq_answer, faq_warming, record_unanswered
from bot.i18n import current_language, speaking

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
    def answer(self, question: Question) -> Answer: ...

    async def reply_to(self, question: Question, faq_checked: bool = False) -> Answer:
        """This action's answer to one question: a staff FAQ answer where the action consults
        the FAQ (unless the caller already found none: `faq_checked`), else one built from the
        knowledge base."""
        reply = await faq_answer(question.text) if self.consult_faq and not faq_checked else None
        if reply is None:
            reply = self.answer(question)
        if self.consult_faq and not reply.known and faq_warming():
            # A staff answer may exist but is not loaded yet (a restarted action server): say
            # "try again", not "not covered", and keep it out of the inbox.
            return lookup_unavailable()
        return reply

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language = reply_language(tracker)
        with speaking(language):
            events = await self.respond(dispatcher, tracker)
        if language != tracker.get_slot(LANGUAGE_SLOT):
            events.insert(0, SlotSet(LANGUAGE_SLOT, language))
        return events

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Any]:
        """Answer the latest message, in the language `run` chose."""
        other = unsupported_language(tracker)
        if other is not None:
            send(dispatcher, unsupported_language_reply(other), latest_intent(tracker))
            return []
        added = await add_contact_to_handoff(tracker)
        if added is not None:
            send(dispatcher, contact_added(queued=added.outcome == "queued"), counted=False)
            return [SlotSet("handoff_id", None)]
        commented = await reply_to_comment(dispatcher, tracker)  # "what was wrong?" answered
        if commented is not None:
            return commented
        from actions.parts import answer_message  # the registry of actions imports this module

        reply, unanswered = await answer_message(self, tracker)
        intent = latest_intent(tracker)
        if reply.topic == "unavailable":
            send(dispatcher, reply, intent)
            return []
        for text in unanswered:
            await record_question(tracker, text)
        failures = count_failure(tracker, answered=reply.known)
        button = handoff_button()
        offered = any(b.payload == button.payload for b in reply.buttons)
        if failures >= FAILURES_BEFORE_HANDOFF_BUTTON and not offered:
            reply.buttons = [*reply.buttons, button]
        feedback = offer_feedback(tracker, reply)  # 👍/👎 after the answer's own buttons
        send(dispatcher, reply, intent)
        events = [SlotSet("topic", reply.topic), SlotSet("failed_answers", float(failures))]
        events += feedback
        if tracker.get_slot(COMMENT_SLOT):  # the message after a 👎 was a new question
            events.append(SlotSet(COMMENT_SLOT, None))
        events += [SlotSet(name, value) for name, value in reply.subject.items()]
        if reply.listed:
            events.append(SlotSet("listed", reply.listed))
        home = Question.whole(tracker).home_country()
        if home and home != tracker.get_slot("home_country"):
            events.append(SlotSet("home_country", home))
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


async def record_question(tracker: Tracker, text: str | None = None) -> None:
    """A question of the latest message goes to the staff inbox as unanswered (queued while the
    staff database is busy: bot/staff_db/outbox.py)."""
    intent, confidence = guessed_intent(tracker)
    await record_unanswered(
        text or tracker.latest_message.get("text"),
        tracker.get_latest_input_channel(),
        intent,
        confidence,
        tracker.sender_id,
        current_language(),
    )
