"""Talk to a human: the conversation so far goes to the staff inbox with a hashed sender id."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply import send
from bot.answers import handoff
from bot.faq.service import staff_inbox

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
        try:
            handoff_id = staff_inbox().record_handoff(
                tracker.sender_id, channel or "unknown", transcript(tracker)
            )
        except Exception:
            logger.exception("could not record a handoff")
            handoff_id = None
        send(dispatcher, handoff.handed_off(channel))
        return [SlotSet("handoff_id", handoff_id), SlotSet("failed_answers", 0.0)]


def add_contact_to_handoff(tracker: Tracker) -> bool:
    """After a handoff, a message with an e-mail address is added to the request."""
    handoff_id = tracker.get_slot("handoff_id")
    text = tracker.latest_message.get("text") or ""
    if handoff_id is None or not EMAIL.search(text):
        return False
    try:
        return staff_inbox().add_to_handoff(int(handoff_id), tracker.sender_id, text)
    except Exception:
        logger.exception("could not add a contact to handoff %s", handoff_id)
        return False
