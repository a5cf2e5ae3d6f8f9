"""Every reply an answer action sends says what it did (metadata["analytics"]): one part per
question, with the outcome, the area asked about, the facts or FAQ entry it rests on."""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest

from actions.handoff import ActionHandoff
from actions.office import ActionHonestFallback, ActionOutOfScope
from actions.parts import action_for
from actions.reply import analytics_part
from bot.analytics.outcome import OUTCOMES
from bot.answers.base import knowledge
from bot.faq.service import entry_answer
from bot.i18n import speaking
from bot.kb.provenance import iter_cited
from tests.helpers import create_tracker, run_action, user


def only_message(messages: list) -> dict:
    assert len(messages) == 1, "one reply, one message"
    return messages[0]


def analytics_of(action, tracker) -> dict:
    messages, _ = run_action(action, tracker)
    return only_message(messages)["analytics"]


def test_a_fact_answer_names_its_facts_by_path():
    tracker = create_tracker("any partners in Croatia?", "ask_partners", {"country": "Croatia"})
    messages, _ = run_action(action_for("ask_partners"), tracker)
    analytics = only_message(messages)["analytics"]
    (part,) = analytics["parts"]
    assert part["outcome"] == "answered_fact" and part["topic"] == "partners"
    assert part["intent"] == "ask_partners" and part["faq_entry"] is None
    paths = {path for path, _fact in iter_cited(knowledge().kb)}
    assert part["facts"] and set(part["facts"]) <= paths
    assert analytics["language"] == "en"
    payloads = [b["payload"] for b in only_message(messages)["buttons"]]
    assert analytics["feedback_offered"] is any(p.startswith("/feedback{") for p in payloads)
    assert analytics["feedback_offered"], (
        "a factual answer offers 👍/👎 (tests/actions/test_feedback)"
    )


def test_several_questions_are_one_message_with_one_part_each():
    text = "do you have Moldovan students?\nany partners in Croatia?\nwhat is the fee per year?"
    parts = []
    for part_text, intent in (
        ("do you have Moldovan students?", "ask_international_students"),
        ("any partners in Croatia?", "ask_partners"),
        ("what is the fee per year?", "ask_not_covered"),
    ):
        start = text.index(part_text)
        parts.append(
            {
                "text": part_text,
                "start": start,
                "end": start + len(part_text),
                "intent": {"name": intent, "confidence": 0.9},
            }
        )
    tracker = create_tracker(text, "ask_international_students")
    tracker.latest_message["question_parts"] = parts
    analytics = analytics_of(action_for("ask_international_students"), tracker)
    outcomes = [(p["intent"], p["outcome"]) for p in analytics["parts"]]
    assert outcomes == [
        ("ask_international_students", "answered_fact"),
        ("ask_partners", "answered_fact"),
        ("ask_not_covered", "not_covered"),
    ]
    assert [p["topic"] for p in analytics["parts"]] == ["students", "partners", "practical"]


@pytest.mark.parametrize(
    ("action", "intent", "expected"),
    [
        (ActionHonestFallback(), "nlu_fallback", "fallback"),
        (ActionOutOfScope(), "out_of_scope", "out_of_scope"),
    ],
)
def test_misses_say_which_kind(action, intent, expected):
    analytics = analytics_of(action, create_tracker("what's the weather like?", intent))
    assert [p["outcome"] for p in analytics["parts"]] == [expected]
    assert analytics["parts"][0]["facts"] == []


def test_a_detail_the_page_never_gives_is_not_covered():
    analytics = analytics_of(
        action_for("ask_erasmus"),
        create_tracker("how much does Erasmus pay per month?", "ask_erasmus"),
    )
    assert [(p["outcome"], p["topic"]) for p in analytics["parts"]] == [("not_covered", "exchange")]


def test_a_russian_question_is_counted_in_russian():
    text = "Какие у вас партнёры в Хорватии?"
    tracker = create_tracker(text, "ask_partners", {"country": "Хорватии"})
    tracker.latest_message["language"] = {"code": "ru", "alternatives": []}
    assert analytics_of(action_for("ask_partners"), tracker)["language"] == "ru"


def test_a_staff_faq_answer_names_its_entry():
    entry = SimpleNamespace(
        id=42,
        answer="The shuttle leaves at 9.",
        as_of=dt.date(2026, 1, 1),
        version_in=lambda _l: None,
    )
    with speaking("en"):
        part = analytics_part("ask_not_covered", entry_answer(entry))
    assert part["outcome"] == "answered_faq" and part["faq_entry"] == 42
    assert part["topic"] == "practical"


def test_a_handoff_is_counted_and_an_email_for_it_is_not():
    assert os.environ.get("DATABASE_URL"), "the session's staff database (tests/conftest.py)"
    tracker = create_tracker(
        "i want to talk to a human",
        "request_human",
        sender_id="analytics-handoff",
        events=[user("fees?", "socketio")],
    )
    messages, slots = run_action(ActionHandoff(), tracker)
    assert [p["outcome"] for p in only_message(messages)["analytics"]["parts"]] == ["handoff"]
    later = create_tracker(
        "me@example.org", "nlu_fallback", sender_id="analytics-handoff", slots=slots
    )
    messages, _ = run_action(ActionHonestFallback(), later)
    assert "analytics" not in only_message(messages), "an e-mail address is not a question"


def test_thanks_for_feedback_is_not_an_answer():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.reply import send
    from bot.answers.base import Answer

    dispatcher = CollectingDispatcher()
    send(dispatcher, Answer("Thank you, noted.", [], "feedback"), "nlu_fallback")
    assert "analytics" not in only_message(dispatcher.messages)


def test_greetings_are_chitchat():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_server.nlg import CatalogueNLG
    from tests.helpers import run_coroutine

    domain = Domain.load("domain.yml")
    tracker = DialogueStateTracker.from_events("s", [], slots=domain.slots)
    language = {"code": "tr", "alternatives": []}
    tracker.update(UserUttered("merhaba", {"name": "greet"}, parse_data={"language": language}))
    reply = run_coroutine(CatalogueNLG(None, domain).generate("utter_greet", tracker, "rest"))
    assert reply["analytics"]["parts"] == [
        {"intent": "greet", "topic": None, "outcome": "chitchat", "faq_entry": None, "facts": []}
    ]
    assert reply["analytics"]["language"] == "tr"


def test_outcomes_are_the_shared_design_list():
    assert OUTCOMES == (
        "answered_fact",
        "answered_faq",
        "not_covered",
        "fallback",
        "out_of_scope",
        "handoff",
        "chitchat",
    )
