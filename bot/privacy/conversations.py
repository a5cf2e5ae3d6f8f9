"""Conversations staff review, read from the tracker store (Rasa has no endpoint that lists
them, RasaHQ/rasa#11688): the ones where the assistant fell back, a student marked an answer
wrong (👎, the feedback intent) or asked for a person. Sender ids never leave this module: a
conversation is named by its deletion reference (bot/privacy/reference.py).

One query finds the flagged events (by type, intent and action name, never by reading every
message), grouped by conversation in Python, newest flag first; then only the shown page's
conversations are read in full.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.privacy.reference import ReferenceMaker

BAKU = ZoneInfo("Asia/Baku")
FALLBACK_ACTIONS = ("action_honest_fallback", "action_default_fallback")
FALLBACK_INTENTS = ("nlu_fallback",)
HANDOFF_ACTIONS = ("action_handoff",)
FEEDBACK_INTENT = "feedback"  # '/feedback{"value": "down"}' (issue 15's feedback buttons)
REASONS = {"fallback": "fell back", "thumbs_down": "👎 answer marked wrong", "handoff": "handoff"}
PAGE_SIZE = 20
ANSWER_OUTCOMES = ("fallback", "handoff")  # analytics outcomes that flag a reply

EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("intent_name"),
    sa.column("action_name"),
    sa.column("data"),
)


@dataclass(frozen=True)
class Turn:
    who: str  # "student" | "bot"
    text: str
    at: dt.datetime  # Asia/Baku
    flags: tuple[str, ...] = ()  # what went wrong right after this turn (REASONS keys)
    facts: tuple[str, ...] = ()  # fact paths a bot turn rests on (analytics metadata)
    question: bool = False  # a student's typed question (not a button payload)


@dataclass(frozen=True)
class Conversation:
    reference: str  # the deletion reference: how staff name it
    reasons: tuple[str, ...]
    last_flagged: dt.datetime
    channel: str | None
    turns: list[Turn] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewPage:
    conversations: list[Conversation]
    page: int
    pages: int
    total: int


def _reason(row: Any) -> str | None:
    if row.type_name == "bot":
        return _answer_outcome(_data(row))
    if row.type_name == "action" and row.action_name in FALLBACK_ACTIONS:
        return "fallback"
    if row.type_name == "action" and row.action_name in HANDOFF_ACTIONS:
        return "handoff"
    if row.type_name == "user" and row.intent_name in FALLBACK_INTENTS:
        return "fallback"
    if row.type_name == "user" and row.intent_name == FEEDBACK_INTENT:
        return "thumbs_down" if _feedback_value(_data(row)) == "down" else None
    return None


def _answer_outcome(data: dict) -> str | None:
    """A reply whose analytics metadata (issue 15) says one of its parts fell back or handed
    off: a message with several questions is answered by one action, whatever each part got."""
    analytics = (data.get("metadata") or {}).get("analytics") or {}
    outcomes = {(part or {}).get("outcome") for part in analytics.get("parts") or []}
    return next((o for o in ANSWER_OUTCOMES if o in outcomes), None)


def _data(row: Any) -> dict:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _feedback_value(data: dict) -> str | None:
    """The 👍/👎 value of a feedback message: its entity, else the payload's JSON."""
    parse = data.get("parse_data") or {}
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "value":
            return str(entity.get("value"))
    text = str(data.get("text") or "")
    if text.startswith(f"/{FEEDBACK_INTENT}{{"):
        try:
            return str(json.loads(text[len(FEEDBACK_INTENT) + 1 :]).get("value"))
        except (ValueError, AttributeError):
            return None
    return None


def _baku(timestamp: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp or 0, tz=dt.timezone.utc).astimezone(BAKU)


def _flag_query() -> sa.sql.Select:
    actions = FALLBACK_ACTIONS + HANDOFF_ACTIONS
    intents = (*FALLBACK_INTENTS, FEEDBACK_INTENT)
    return sa.select(
        EVENTS.c.sender_id,
        EVENTS.c.type_name,
        EVENTS.c.intent_name,
        EVENTS.c.action_name,
        EVENTS.c.timestamp,
        # the payload matters for feedback and replies only: other rows' data is not read
        sa.case(
            (EVENTS.c.intent_name == FEEDBACK_INTENT, EVENTS.c.data),
            (EVENTS.c.type_name == "bot", EVENTS.c.data),
            else_=None,
        ).label("data"),
    ).where(
        sa.or_(
            sa.and_(EVENTS.c.type_name == "action", EVENTS.c.action_name.in_(actions)),
            sa.and_(EVENTS.c.type_name == "user", EVENTS.c.intent_name.in_(intents)),
            # Rasa stores events as json.dumps(...): `"outcome": "fallback"` is how it reads;
            # _reason then checks it really is the metadata's, not a message's text.
            sa.and_(
                EVENTS.c.type_name == "bot",
                sa.or_(*(EVENTS.c.data.like(f'%"outcome": "{o}"%') for o in ANSWER_OUTCOMES)),
            ),
        )
    )


def flagged(tracker: Engine) -> list[tuple[str, tuple[str, ...], float]]:
    """(sender id, reasons, last flagged time) of every flagged conversation, newest first."""
    if not sa.inspect(tracker).has_table("events"):
        return []
    found: dict[str, tuple[set, float]] = {}
    with tracker.connect() as connection:
        for row in connection.execute(_flag_query()):
            reason = _reason(row)
            if reason is None:
                continue
            reasons, last = found.setdefault(row.sender_id, (set(), 0.0))
            reasons.add(reason)
            found[row.sender_id] = (reasons, max(last, row.timestamp or 0.0))
    ordered = sorted(found.items(), key=lambda item: (-item[1][1], item[0]))
    return [(s, tuple(r for r in REASONS if r in reasons), t) for s, (reasons, t) in ordered]


def _facts(data: dict) -> tuple[str, ...]:
    """Fact paths an answer named (metadata.analytics.parts[].facts, issue 15's analytics)."""
    analytics = (data.get("metadata") or {}).get("analytics") or {}
    paths: list[str] = []
    for part in analytics.get("parts") or []:
        for path in (part or {}).get("facts") or []:
            if isinstance(path, str) and path not in paths:
                paths.append(path)
    return tuple(paths)


def transcript(rows: Iterable[Any]) -> tuple[list[Turn], str | None]:
    """A conversation's turns (oldest first) and its channel, from its event rows in order.
    A flag (fallback, handoff, 👎) is put on the student turn it answered."""
    turns: list[Turn] = []
    channel = None
    for row in rows:
        reason = _reason(row)
        if reason and reason != "thumbs_down" and turns:
            student = next(
                (i for i in range(len(turns) - 1, -1, -1) if turns[i].who == "student"), None
            )
            if student is not None and reason not in turns[student].flags:
                turns[student] = _with_flag(turns[student], reason)
        if row.type_name not in ("user", "bot"):
            continue
        data = _data(row)
        text = str(data.get("text") or "")
        at = _baku(row.timestamp)
        if row.type_name == "user":
            channel = data.get("input_channel") or channel
            if reason == "thumbs_down":
                turns.append(Turn("student", "👎", at, ("thumbs_down",)))
            elif text and not text.startswith("/"):
                turns.append(Turn("student", text, at, question=True))
        elif text:
            turns.append(Turn("bot", text, at, facts=_facts(data)))
    return turns, channel


def _with_flag(turn: Turn, reason: str) -> Turn:
    return Turn(turn.who, turn.text, turn.at, (*turn.flags, reason), turn.facts, turn.question)


def review_page(tracker: Engine, key: str, page: int = 1, size: int | None = None) -> ReviewPage:
    """One page of flagged conversations, newest flag first, each read in full."""
    size = size or PAGE_SIZE
    everything = flagged(tracker)
    pages = max(1, -(-len(everything) // size))
    page = min(max(1, page), pages)
    shown = everything[(page - 1) * size : page * size]
    reference_of = ReferenceMaker(key)
    conversations = []
    if shown:
        query = (
            sa.select(EVENTS)
            .where(EVENTS.c.sender_id.in_([s for s, _, _ in shown]))
            .order_by(EVENTS.c.sender_id, EVENTS.c.id)
        )
        rows: dict[str, list] = {}
        with tracker.connect() as connection:
            for row in connection.execute(query):
                rows.setdefault(row.sender_id, []).append(row)
        for sender, reasons, last in shown:
            turns, channel = transcript(rows.get(sender, []))
            conversations.append(
                Conversation(reference_of(sender), reasons, _baku(last), channel, turns)
            )
    return ReviewPage(conversations, page, pages, len(everything))
