"""Tiny helpers to run an action against a hand-built tracker (after covidflow's ActionTestCase)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Coroutine, Dict, FrozenSet, List, Tuple, TypeVar

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def create_tracker(
    text: str = "",
    intent: str | None = None,
    entities: Dict[str, str] | None = None,
    slots: Dict[str, Any] | None = None,
    sender_id: str = "student",
    events: List[Dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest user message has this text, intent and entities (and, when the
    test needs a history, these events before it)."""
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [_entity(text, k, v) for k, v in (entities or {}).items()],
        },
        events=list(events or []),
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: it works even when the test's thread already has a
    running event loop (Playwright's sync API leaves one for the session's browser tests)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@lru_cache(maxsize=1)
def domain_slots() -> FrozenSet[str]:
    domain = yaml.safe_load((Path(__file__).parent.parent / "domain.yml").read_text("utf-8"))
    return frozenset(domain["slots"])


def run_action(action: Action, tracker: Tracker) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """Run the action; return what it said and the slots it set. Every slot it sets must exist
    in domain.yml: Rasa only logs an error for an unknown one and drops the value."""
    dispatcher = CollectingDispatcher()
    events = run_coroutine(action.run(dispatcher, tracker, domain={}))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    unknown = set(slots) - domain_slots()
    assert not unknown, f"{action.name()} sets slots missing from domain.yml: {sorted(unknown)}"
    return dispatcher.messages, slots


def said(messages: List[Dict[str, Any]]) -> str:
    """Everything the bot said, text and button titles, as one lower-case string."""
    parts = []
    for message in messages:
        parts.append(message.get("text") or "")
        parts += [b["title"] for b in message.get("buttons") or []]
    return "\n".join(parts).lower()


def user(text: str, channel: str = "rest", at: float = 1_700_000_000.0) -> Dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": at, "input_channel": channel}


def bot(text: str, at: float = 1_700_000_001.0) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": at}


def _entity(text: str, name: str, value: str) -> Dict[str, Any]:
    """An entity as the extractor reports it, with offsets when the value occurs in the text."""
    entity: Dict[str, Any] = {"entity": name, "value": value}
    start = text.lower().find(value.lower())
    if start >= 0:
        entity.update(start=start, end=start + len(value))
    return entity
