"""One question as the answer actions see it: the whole message, or one part of a message that
asks several things (bot/understanding/split.py).

Actions used to read the tracker's latest message directly. A part has its own text, intent and
entities, so actions read a Question instead; the tracker still gives the conversation's slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List

from rasa_sdk import Tracker

from bot.understanding.live_names import with_live_names
from bot.understanding.roles import refers_to_home

ORIGIN_ROLE = "origin"
# Before the role component marks origins, the words around a country still tell: in "exchange
# options for a student from Kazakhstan", Kazakhstan is not the question.
ORIGIN = re.compile(
    r"\b(i'?m|i am|im|me|student|students|citizen|citizens|people)\s+from\s+(the\s+)?$", re.I
)
CARRIED = {"project", "university", "organisation", "department"}
POINTS_BACK = re.compile(r"\b(it|its|this|that|they|them|there)\b", re.I)
SUBJECTS = ("project", "university", "organisation", "scholarship", "country", "department")


def _entities(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The message's entities, with the names staff added since the model was trained."""
    entities = list(message.get("entities") or [])
    return with_live_names(str(message.get("text") or ""), entities)


@dataclass
class Question:
    text: str
    intent: str | None
    confidence: float
    entities: List[Dict[str, Any]]
    tracker: Tracker
    message_entities: List[Dict[str, Any]] = field(default_factory=list)
    offset: int = 0  # where the question starts in the message
    is_part: bool = False
    previous_topic: str | None = None  # what the message's previous question was answered about

    @classmethod
    def whole(cls, tracker: Tracker) -> Question:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        entities = _entities(message)
        return cls(
            message.get("text") or "",
            intent.get("name"),
            float(intent.get("confidence") or 0.0),
            entities,
            tracker,
            entities,
        )

    @classmethod
    def part(
        cls,
        tracker: Tracker,
        part: Dict[str, Any],
        previous: Question | None = None,
        previous_subject: Dict[str, str] | None = None,
        previous_topic: str | None = None,
    ) -> Question:
        """One question of the message. "Who coordinates PAWER, and how many went to its
        trainings?": a part that names no project or organisation of its own is about the one
        the part before it named (countries are not carried over: each part says its own)."""
        message = tracker.latest_message or {}
        entities = _entities(message)
        inside = [
            e
            for e in entities
            if part["start"] <= e.get("start", -1) and e.get("end", 0) <= part["end"]
        ]
        if previous is not None and not any(e.get("entity") in CARRIED for e in inside):
            carried = [e for e in previous.entities if e.get("entity") in CARRIED]
            if not carried and (previous_subject or {}).get("project"):
                # the previous part's project was described, not named: it was found by retrieval
                carried = [{"entity": "project", "value": previous_subject["project"]}]
            inside += carried
        if not any(e.get("entity") in CARRIED for e in inside) and POINTS_BACK.search(part["text"]):
            # "my daughter wants to study Business Administration. Is it taught in English?": the
            # story names what "it" is
            spans = [(p["start"], p["end"]) for p in message.get("question_parts") or []]
            story = [
                e
                for e in entities
                if e.get("entity") in CARRIED
                and not any(s <= e.get("start", -1) < t for s, t in spans)
            ]
            if len({e["value"] for e in story}) == 1:
                inside += story[:1]
        intent = part.get("intent") or {}
        return cls(
            part["text"],
            intent.get("name"),
            float(intent.get("confidence") or 0.0),
            inside,
            tracker,
            entities,
            part["start"],
            True,
            previous_topic,
        )

    def own_entities(self) -> List[Dict[str, Any]]:
        """This question's entities with offsets into its own text (not the message's)."""
        shifted = []
        for entity in self.entities:
            start = entity.get("start")
            inside = start is not None and self.offset <= start < self.offset + len(self.text)
            if inside:
                entity = {
                    **entity,
                    "start": start - self.offset,
                    "end": entity["end"] - self.offset,
                }
            else:
                entity = {k: v for k, v in entity.items() if k not in ("start", "end")}
            shifted.append(entity)
        return shifted

    def names_no_subject(self) -> bool:
        """Nothing the answers are about is named: no project, organisation, scholarship or
        country (other than where the student comes from)."""
        return not any(self.entity(name) for name in SUBJECTS)

    def names_only_a_country_adjective(self) -> bool:
        """The only subject named is one country, not as a place to go ("the German university
        in the doctoral-studies project", not "projects with universities in Sweden")."""
        countries = [e for e in self.entities if e.get("entity") == "country"]
        others = any(self.entity(name) for name in SUBJECTS if name != "country")
        return len(countries) == 1 and countries[0].get("role") is None and not others

    def text_with_context(self) -> str:
        """The question with the story around it ("I study logistics ... Does BEU take part in
        any EU project on that?"): what retrieval reads for a part of a longer message."""
        if not self.is_part:
            return self.text
        message = (self.tracker.latest_message or {}).get("text") or ""
        parts = (self.tracker.latest_message or {}).get("question_parts") or []
        story, cursor = [], 0
        for part in parts:
            story.append(message[cursor : part["start"]])
            cursor = part["end"]
        story.append(message[cursor:])
        context = " ".join(" ".join(story).split())
        return f"{context} {self.text}".strip()[-600:]

    def entity(self, name: str) -> str | None:
        """The entity as said in this question (after synonym mapping), if any; a country the
        student comes from is not the question's subject."""
        for entity in self.entities:
            if entity.get("entity") == name and not (name == "country" and self._is_origin(entity)):
                return str(entity["value"])
        return None

    def organisation(self) -> str | None:
        """A university or other organisation named in this question."""
        return self.entity("university") or self.entity("organisation")

    def destination_country(self) -> str | None:
        """A country named as a destination or partner; "back home" means the student's own."""
        countries = self.destination_countries()
        return countries[0] if countries else None

    def destination_countries(self) -> List[str]:
        """Every country asked about as a destination or partner ("Latvia or Finland?"), in
        order, once each."""
        found: List[str] = []
        for entity in self.entities:
            value = str(entity.get("value"))
            is_country = entity.get("entity") == "country"
            if is_country and not self._is_origin(entity) and value not in found:
                found.append(value)
        if not found and refers_to_home(self.text):
            home = self.home_country()
            return [home] if home else []
        return found

    def students_country(self) -> str | None:
        """The country of the students asked about: named, or the student's own ("students from
        my country", "other Turkish students")."""
        for entity in self.entities:
            if entity.get("entity") == "country":
                return str(entity["value"])
        if refers_to_home(self.text) or re.search(r"\b(like me|other|fellow)\b", self.text, re.I):
            return self.home_country()
        return None

    def home_country(self) -> str | None:
        """The student's own country: said in this message, or earlier in the conversation."""
        for entity in self.message_entities:
            if entity.get("entity") == "country" and self._is_origin(entity):
                return str(entity["value"])
        return self.slot("home_country")

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def _is_origin(self, entity: Dict[str, Any]) -> bool:
        if entity.get("role") == ORIGIN_ROLE:
            return True
        start = entity.get("start")
        message = (self.tracker.latest_message or {}).get("text") or ""
        return start is not None and bool(ORIGIN.search(message[:start]))
