"""Talk to a human: the handoff lands in the staff inbox with its transcript, the student is told
how staff will reply, and after two unanswered questions every answer offers a person."""

from __future__ import annotations

import os

import pytest

from actions.handoff import ActionHandoff
from actions.office import ActionHonestFallback, ActionOffice, ActionOutOfScope
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from tests.helpers import bot, create_tracker, run_action, said, user


@pytest.fixture()
def inbox():
    engine = make_engine(os.environ["DATABASE_URL"])  # the session's staff database (conftest)
    yield Inbox(engine)
    engine.dispose()


def history(channel: str) -> list:
    return [
        user("how much are the fees?", channel),
        bot("I'm afraid I don't have information about fees."),
        user("/request_human", channel),
        user("i want to talk to a human", channel),
    ]


def test_a_handoff_is_recorded_with_the_transcript_and_a_hashed_sender(inbox):
    sender = "widget-session-5f1c"
    tracker = create_tracker(
        "i want to talk to a human", "request_human", sender_id=sender, events=history("socketio")
    )
    messages, slots = run_action(ActionHandoff(), tracker)
    handoff = next(h for h in inbox.list_handoffs() if h.id == slots["handoff_id"])
    assert [turn["who"] for turn in handoff.transcript] == ["student", "bot", "student"]
    assert handoff.transcript[0]["text"] == "how much are the fees?"
    assert handoff.channel == "socketio" and sender not in handoff.sender_hash
    text = said(messages)
    assert "international relations and project management department" in text
    assert "e-mail address" in text, "how staff reply"
    assert "can't promise how soon" in text, "no reply time is promised that the office didn't set"


def test_the_reply_time_the_office_sets_is_what_the_student_is_told(monkeypatch):
    from types import SimpleNamespace

    from bot.answers import handoff as answers

    kb = answers.knowledge().kb
    contacts = kb.office.contacts.copy(update={"handoff_reply_time": "within two working days"})
    office = kb.office.copy(update={"contacts": contacts})
    monkeypatch.setattr(
        answers, "knowledge", lambda: SimpleNamespace(kb=kb.copy(update={"office": office}))
    )
    for channel in ("socketio", "messenger"):
        text = answers.handed_off(channel).text
        assert text.endswith("within two working days.") and "can't promise" not in text


def test_on_messenger_staff_reply_in_the_same_conversation(inbox):
    tracker = create_tracker("human please", "request_human", events=history("messenger"))
    messages, _ = run_action(ActionHandoff(), tracker)
    assert "reply to you here" in said(messages) and "e-mail" not in said(messages)


def test_an_email_after_the_handoff_joins_the_request(inbox):
    sender = "widget-session-77aa"
    _, slots = run_action(
        ActionHandoff(),
        create_tracker("talk to staff", "request_human", sender_id=sender, events=history("rest")),
    )
    follow = create_tracker(
        "it's amina.k@example.org", "nlu_fallback", slots=slots, sender_id=sender
    )
    messages, new_slots = run_action(ActionHonestFallback(), follow)
    assert "added your e-mail address" in said(messages)
    assert new_slots["handoff_id"] is None
    handoff = next(h for h in inbox.list_handoffs() if h.id == slots["handoff_id"])
    assert handoff.transcript[-1]["text"] == "it's amina.k@example.org"


def test_someone_elses_handoff_cannot_be_extended(inbox):
    _, slots = run_action(
        ActionHandoff(), create_tracker("human", "request_human", sender_id="owner")
    )
    stranger = create_tracker("me@example.org", "nlu_fallback", slots=slots, sender_id="other")
    messages, _ = run_action(ActionHonestFallback(), stranger)
    assert "added your e-mail" not in said(messages)


def test_after_two_unanswered_questions_answers_offer_a_person():
    first_messages, first = run_action(
        ActionHonestFallback(), create_tracker("blorp zzz qq", "nlu_fallback")
    )
    assert first["failed_answers"] == 1 and "talk to a person" not in said(first_messages)
    second_messages, second = run_action(
        ActionOutOfScope(), create_tracker("what's the weather", "out_of_scope", slots=first)
    )
    assert second["failed_answers"] == 2
    assert "/request_human" in [b["payload"] for b in second_messages[-1]["buttons"]]
    _, answered = run_action(
        ActionOffice(), create_tracker("the office", "ask_office", slots=second)
    )
    assert answered["failed_answers"] == 0, "an answer resets the count"
