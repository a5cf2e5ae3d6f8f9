"""What the two slot events and the analytics metadata each answer carries since issue 15 cost the
dialogue policies: one prediction over a conversation of 12 and 24 turns, with and without them,
in one process (`PYTHONPATH=$PWD .venv/bin/python -m tests.bench_tracker_events`). Rasa predicts
twice per message (the answer, then action_listen) and featurises every applied event each time.
"""

from __future__ import annotations

import asyncio
import json
import time

from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

INTENT = {"name": "ask_project_coordinator", "confidence": 0.99}
ENTITIES = [{"entity": "project", "value": "PROMIG", "start": 15, "end": 21}]
PART = {"intent": INTENT["name"], "topic": "project_coordinator", "outcome": "answered_fact",
        "faq_entry": None, "facts": ["projects[promig]"]}  # fmt: skip


def turn(index: int, with_issue_15: bool) -> list[Event]:
    """One answered question, as the tracker store holds it."""
    events: list[Event] = [
        UserUttered("who coordinates PROMIG?", INTENT, ENTITIES),
        ActionExecuted("action_project_coordinator"),
        SlotSet("project", "PROMIG"),
        SlotSet("topic", "project_coordinator"),
        SlotSet("language", "en"),
        SlotSet("failed_answers", 0.0),
    ]
    metadata = {}
    if with_issue_15:
        rated = {"question": "who coordinates PROMIG?", "facts": PART["facts"]}
        events += [
            SlotSet("answers_since_feedback", float(index % 3)),
            SlotSet("feedback_answer", json.dumps(rated)),
        ]
        metadata = {"analytics": {"parts": [PART], "language": "en", "feedback_offered": True}}
    events += [
        BotUttered("PROMIG is coordinated by X.", {}, metadata),
        ActionExecuted("action_listen"),
    ]
    return events


def conversation(domain: Domain, turns: int, with_issue_15: bool) -> DialogueStateTracker:
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted()]
    events.append(ActionExecuted("action_listen"))
    for index in range(turns):
        events += turn(index, with_issue_15)
    return DialogueStateTracker.from_events("bench", events, domain.slots)


async def main(repeats: int = 60) -> None:
    agent = Agent.load("models/beu.tar.gz")
    for turns in (12, 24):
        for with_issue_15 in (False, True, False, True):
            tracker = conversation(agent.domain, turns, with_issue_15)
            started = time.process_time()
            for _ in range(repeats):
                agent.processor._predict_next_with_tracker(tracker)
            cpu_ms = (time.process_time() - started) / repeats * 1000
            label = "with" if with_issue_15 else "without"
            print(f"{turns} turns, {label} issue 15's events: {cpu_ms:.2f} ms CPU per prediction")


if __name__ == "__main__":
    asyncio.run(main())
