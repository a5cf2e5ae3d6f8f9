"""Talk to a human: the conversation so far goes to the staff inbox with a hashed sender id."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply import latest_intent, reply_language, send
from bot.answers import handoff
from bot.faq.service import Delivery, add_to_handoff, record_handoff
from bot.i18n import speaking

logger = logging.getLogger(__name__)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def transcript(tracker: Tracker) -> List[Dict[str, str]]:
    """Who said what, and when, in this conversation (button payloads left out)."""
    turns = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not text or text.startswith("/"):
            continue
        stamp = datetime.fromtimestamp(event.get("timestamp") or 0, tz=timezone.utc)
        turns.append({"who": "student" if kind == "user" else "bot", "text": text, "time": stamp})
    return turns


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        channel = tracker.get_latest_input_channel()
        delivery = await record_handoff(tracker.sender_id, channel, transcript(tracker))
        with speaking(reply_language(tracker)):
            if delivery.outcome == "refused":
                logger.error("a handoff could not be stored or queued; the student was told so")
                send(dispatcher, handoff.handoff_impossible(), latest_intent(tracker))
            else:
                queued = delivery.outcome == "queued"
                send(dispatcher, handoff.handed_off(channel, queued=queued), latest_intent(tracker))
        return [SlotSet("handoff_id", delivery.ref), SlotSet("failed_answers", 0.0)]


async def add_contact_to_handoff(tracker: Tracker) -> Delivery | None:
    """After a handoff, a message with an e-mail address is added to the request: stored or
    queued; None when there is nothing to add, or it was refused (not their handoff)."""
    handoff_id = tracker.get_slot("handoff_id")
    text = tracker.latest_message.get("text") or ""
    if handoff_id is None or not EMAIL.search(text):
        return None
    delivery = await add_to_handoff(handoff_id, tracker.sender_id, text)
    return delivery if delivery.accepted else None
