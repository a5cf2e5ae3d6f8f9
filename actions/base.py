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

from bot.answers import Answer


class AnswerAction(Action, ABC):
    """Abstract, so rasa-sdk registers only the concrete actions."""

    action_name: str = ""

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    def answer(self, tracker: Tracker) -> Answer: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        reply = self.answer(tracker)
        dispatcher.utter_message(
            text=reply.text,
            buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons],
        )
        events = [SlotSet("topic", reply.topic)]
        events += [SlotSet(name, value) for name, value in reply.subject.items()]
        return events


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The entity as said in the latest message (after synonym mapping), if any."""
    values = list(tracker.get_latest_entity_values(entity))
    return str(values[0]) if values else None


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
