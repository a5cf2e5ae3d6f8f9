"""Generated conversations in Rasa's SQL tracker store, and their figures counted by brute force.

The events have the shapes Rasa stores (`Event.as_dict()` JSON in `events.data`): a session
start, then per turn the student's UserUttered (parse data with intent, detected language and,
for several questions, `question_parts`; input_channel), the answer action, its BotUttered with
the `analytics` metadata (actions/reply.py), a SlotSet and action_listen. Some turns are 👍/👎
clicks, some replies carry no analytics (a domain response or the apology). Used by
tests/analytics/ and the benchmark (tests/bench_analytics.py).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

BAKU = ZoneInfo("Asia/Baku")
CHANNELS = ("rest", "socketio", "messenger")
LANGUAGES = ("en", "az", "ru", "tr")
# (intent, topic, outcome, faq entry)
ANSWERS = (
    ("ask_erasmus", "exchange", "answered_fact", None),
    ("ask_partners", "partners", "answered_fact", None),
    ("ask_projects", "projects", "answered_fact", None),
    ("ask_not_covered", "fees", "not_covered", None),
    ("ask_office", "office", "answered_faq", 3),
    ("ask_admissions", "admissions", "answered_faq", 7),
    ("nlu_fallback", None, "fallback", None),
    ("out_of_scope", None, "out_of_scope", None),
    ("request_human", "handoff", "handoff", None),
    ("greet", None, "chitchat", None),
)
QUESTIONS = {
    "ask_erasmus": ["Erasmus?", "erasmus", "What is Erasmus+ KA1?", "Erasmus programmes"],
    "ask_partners": ["Which partner universities?", "partners in Poland"],
    "ask_projects": ["Your projects?", "Who coordinates PROMIG?"],
    "ask_not_covered": ["How much is tuition?", "how much is tuition", "What are the fees?"],
    "ask_office": ["Where is the office?", "office hours"],
    "ask_admissions": ["How do I apply?"],
    "nlu_fallback": ["asdf qwer", "hmm", "blorp?"],
    "out_of_scope": ["What is the weather?", "tell me a joke"],
    "request_human": ["talk to a human"],
    "greet": ["hello", "hi"],
}


# Real questions have a long tail: most are asked once, in the student's own words.
TAILS = (
    "please",
    "for masters",
    "for bachelors",
    "next year",
    "as a foreigner",
    "from Moldova",
    "in English",
    "for PhD",
    "quickly",
    "thanks",
    "if possible",
    "for my brother",
    "again",
    "in spring",
    "in autumn",
    "online",
    "for engineering",
    "for economics",
    "by email",
    "today",
)
LONG_TAIL = 0.3


def _question(rng: random.Random, intent: str) -> str:
    text = rng.choice(QUESTIONS[intent])
    if rng.random() < LONG_TAIL:
        text = f"{text} {rng.choice(TAILS)} {rng.choice(TAILS)} {rng.randint(1, 99)}"
    return text


@dataclass
class Conversation:
    sender_id: str
    events: List[Dict[str, Any]] = field(default_factory=list)


def _user(text: str, intent: str, at: float, channel: str, language: str, parts=None) -> Dict:
    parse: Dict[str, Any] = {
        "intent": {"name": intent, "confidence": 0.93},
        "entities": [],
        "text": text,
        "message_id": f"m{int(at * 1000)}",
        "metadata": {},
        "intent_ranking": [{"name": intent, "confidence": 0.93}],
        "language": {"code": language, "alternatives": []},
    }
    if parts:
        parse["question_parts"] = parts
    return {
        "event": "user",
        "timestamp": at,
        "metadata": {},
        "text": text,
        "parse_data": parse,
        "input_channel": channel,
        "message_id": parse["message_id"],
    }


def _bot(text: str, at: float, analytics: Dict[str, Any] | None) -> Dict:
    event: Dict[str, Any] = {
        "event": "bot",
        "timestamp": at,
        "metadata": {"analytics": analytics} if analytics else {},
        "text": text,
        "data": {"elements": None, "quick_replies": None, "buttons": [], "attachment": None},
    }
    return event


def _action(name: str, at: float) -> Dict:
    return {"event": "action", "timestamp": at, "name": name, "policy": "RulePolicy"}


def generate(
    count: int,
    end: dt.datetime,
    days: int,
    seed: int = 15,
    prefix: str = "student",
) -> List[Conversation]:
    """`count` conversations whose first messages are spread over the `days` days before `end`."""
    rng = random.Random(seed)
    span = days * 86400
    conversations = []
    for number in range(count):
        at = end.timestamp() - rng.random() * span
        channel = rng.choice(CHANNELS)
        language = rng.choice(LANGUAGES)
        conversation = Conversation(f"{prefix}-{number}")
        events = conversation.events
        events.append(_action("action_session_start", at))
        events.append({"event": "session_started", "timestamp": at})
        events.append(_action("action_listen", at))
        for _turn in range(rng.randint(1, 5)):
            at += rng.randint(5, 600)
            if at >= end.timestamp():
                break
            roll = rng.random()
            if roll < 0.08:  # a 👍/👎 click: not a message
                value = rng.choice(("up", "down"))
                payload = f'/feedback{{"value": "{value}"}}'
                events.append(_user(payload, "feedback", at, channel, language))
                events.append(_action("action_feedback", at + 0.2))
                events.append(_bot("Thank you!", at + 0.3, None))
            elif roll < 0.12:  # a reply without analytics (the apology)
                events.append(_user("something odd", "nlu_fallback", at, channel, language))
                events.append(_bot("Sorry, something went wrong.", at + 1.5, None))
            else:
                chosen = [rng.choice(ANSWERS) for _ in range(1 if rng.random() < 0.8 else 2)]
                texts = [_question(rng, intent) for intent, *_ in chosen]
                text = " And ".join(texts)
                parts = None
                if len(chosen) > 1:
                    parts = [
                        {"text": t, "start": 0, "end": len(t), "intent": {"name": c[0]}}
                        for t, c in zip(texts, chosen, strict=True)
                    ]
                events.append(_user(text, chosen[0][0], at, channel, language, parts))
                events.append(_action("action_answer", at + 0.2))
                analytics = {
                    "parts": [
                        {"intent": i, "topic": t, "outcome": o, "faq_entry": f, "facts": []}
                        for i, t, o, f in chosen
                    ],
                    "language": language,
                    "feedback_offered": False,
                }
                events.append(_bot("An answer.", at + 0.3, analytics))
                events.append(
                    {"event": "slot", "timestamp": at + 0.3, "name": "topic", "value": "x"}
                )
            events.append(_action("action_listen", at + 0.4))
        conversations.append(conversation)
    return conversations


TRACKER_METADATA = sa.MetaData()
# Rasa's SQLTrackerStore.SQLEvent, column for column (rasa/core/tracker_store.py).
EVENTS = sa.Table(
    "events",
    TRACKER_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def _rows(conversations: Iterable[Conversation]) -> Iterator[Dict[str, Any]]:
    """Events in time order across conversations, as the store receives them."""
    flat = [(e["timestamp"], c.sender_id, e) for c in conversations for e in c.events]
    flat.sort(key=lambda item: item[0])
    for _at, sender, event in flat:
        yield {
            "sender_id": sender,
            "type_name": event["event"],
            "timestamp": event["timestamp"],
            "intent_name": (event.get("parse_data") or {}).get("intent", {}).get("name"),
            "action_name": event.get("name"),
            "data": json.dumps(event),
        }


def store(engine: sa.engine.Engine, conversations: Iterable[Conversation]) -> int:
    """Append the conversations' events to the tracker store; returns how many."""
    TRACKER_METADATA.create_all(engine)
    rows = list(_rows(conversations))
    with engine.begin() as connection:
        for begin in range(0, len(rows), 5000):
            connection.execute(EVENTS.insert(), rows[begin : begin + 5000])
    return len(rows)


@dataclass
class Expected:
    conversations: int
    messages: int
    outcomes: Counter
    topics: Counter
    questions: Counter  # exact text -> count (question parts with an answer outcome)
    unanswered_days: Counter
    hours: Counter


def brute_force(
    conversations: Iterable[Conversation],
    start: dt.date,
    end: dt.date,
    channel: str | None = None,
    language: str | None = None,
) -> Expected:
    """The figures counted straight from the events, independently of bot/analytics."""
    senders = set()
    messages = 0
    outcomes: Counter = Counter()
    topics: Counter = Counter()
    questions: Counter = Counter()
    days: Counter = Counter()
    hours: Counter = Counter()
    for conversation in conversations:
        pending: Tuple[Dict, dt.datetime] | None = None
        first = True
        for event in conversation.events:
            if event["event"] == "user":
                pending = None
                if event["parse_data"]["intent"]["name"] == "feedback":
                    continue
                starts, first = first, False
                local = dt.datetime.fromtimestamp(event["timestamp"], BAKU)
                if not start <= local.date() <= end:
                    continue
                if channel and event["input_channel"] != channel:
                    continue
                if language and event["parse_data"]["language"]["code"] != language:
                    continue
                if starts:  # a conversation counts where it started
                    senders.add(conversation.sender_id)
                messages += 1
                hours[local.hour] += 1
                pending = (event, local)
            elif event["event"] == "bot" and pending is not None:
                analytics = event["metadata"].get("analytics")
                if not analytics:
                    continue
                user, local = pending
                pending = None
                texts = [p["text"] for p in user["parse_data"].get("question_parts") or []]
                for index, part in enumerate(analytics["parts"]):
                    outcome = part["outcome"]
                    outcomes[outcome] += 1
                    if outcome == "chitchat":
                        continue
                    if part["topic"]:
                        topics[part["topic"]] += 1
                    questions[texts[index] if texts else user["text"]] += 1
                    if outcome not in ("answered_fact", "answered_faq"):
                        days[local.date()] += 1
    return Expected(len(senders), messages, outcomes, topics, questions, days, hours)


def by_baku_day(conversations: Iterable[Conversation]) -> Dict[dt.date, int]:
    """Student messages per Baku day (for choosing boundaries in tests)."""
    counts: Dict[dt.date, int] = defaultdict(int)
    for conversation in conversations:
        for event in conversation.events:
            if event["event"] == "user":
                counts[dt.datetime.fromtimestamp(event["timestamp"], BAKU).date()] += 1
    return counts
