"""👍/👎 on answers, in-process against the real actions, knowledge base and (session) staff
database: offered on factual answers only, after the answer's own buttons, at most once every
three answers, once per multi-part reply; a tap is stored once, never with the sender id; a 👎
reaches the inbox as 'wrong'; the next message is its comment unless it is a new question."""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List, Tuple

import pytest
from sqlalchemy import select

from actions.feedback import (
    COMMENT_SLOT,
    COUNT_SLOT,
    OFFER_SLOT,
    ActionFeedback,
    feedback_offered,
    offer_feedback,
)
from actions.parts import action_for
from bot.answers import Answer, Button
from bot.faq import service
from bot.staff_db import tables as t
from bot.staff_db.db import make_engine
from bot.staff_db.feedback import FeedbackRepository
from bot.staff_db.inbox import Inbox
from tests.helpers import create_tracker, run_action

UP = '/feedback{"value": "up"}'
DOWN = '/feedback{"value": "down"}'
QUESTION = "How many students went abroad on exchange?"


def sender() -> str:
    return f"psid-{uuid.uuid4().hex}"


def user_event(text: str, intent: str, **entities: str) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "message_id": uuid.uuid4().hex,
        "input_channel": "rest",
        "parse_data": {
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        },
    }


def ask(
    text: str,
    intent: str,
    slots: Dict[str, Any] | None = None,
    who: str = "student",
    history: List[Dict[str, Any]] | None = None,
    **entities: str,
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The one message an answer action sends, and every slot after it."""
    events = [*(history or []), user_event(text, intent, **entities)]
    tracker = create_tracker(text, intent, entities, dict(slots or {}), who, events)
    messages, set_slots = run_action(action_for(intent), tracker)
    assert len(messages) == 1, "one reply per message"
    return messages[0], {**(slots or {}), **set_slots}


def tap(value: str, slots: Dict[str, Any], who: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    payload = json.dumps({"value": value})
    events = [user_event(f"/feedback{payload}", "feedback", value=value)]
    tracker = create_tracker(
        f"/feedback{payload}", "feedback", {"value": value}, slots, who, events
    )
    messages, set_slots = run_action(ActionFeedback(), tracker)
    return messages[0], {**slots, **set_slots}


def payloads(message: Dict[str, Any]) -> List[str]:
    return [b["payload"] for b in message.get("buttons") or []]


def offered(message: Dict[str, Any]) -> bool:
    return payloads(message)[-2:] == [UP, DOWN]


def stored_for(who: str) -> Tuple[Inbox, list]:
    """Everything written for this sender, once the outbox has stored it."""
    assert service.staff_outbox().drain(10)
    inbox = Inbox(make_engine())
    conversation = inbox.hash_sender(who)
    rows = [f for f in FeedbackRepository(inbox).list() if f.conversation_hash == conversation]
    return inbox, rows


def test_a_factual_answer_offers_thumbs_after_its_own_buttons():
    message, slots = ask(QUESTION, "ask_mobility_numbers")
    assert offered(message)
    own = payloads(message)[:-2]
    assert own and not any(p.startswith("/feedback") for p in own), "follow-ups come first"
    assert message["text"].rstrip().endswith("_Was this helpful?_")
    assert slots[COUNT_SLOT] == 0.0
    assert slots[OFFER_SLOT]["question"] == QUESTION
    assert slots[OFFER_SLOT]["facts"] and all(
        "[" in p or "." in p for p in slots[OFFER_SLOT]["facts"]
    )
    assert "mobility.students" in slots[OFFER_SLOT]["facts"]


def test_a_staff_faq_answer_is_factual_and_names_its_entry():
    message, slots = ask("Where do I send my application documents?", "ask_not_covered")
    assert offered(message)
    entries = slots[OFFER_SLOT]["faq_entries"]
    assert len(entries) == 1 and slots[OFFER_SLOT]["topic"] == "faq"
    assert service.staff_faq().entries[entries[0]].question == (
        "Where do I send my application documents?"
    )


@pytest.mark.parametrize(
    "text, intent",
    [
        ("How much are the tuition fees?", "ask_not_covered"),
        ("asdf qwerty zxcv", "nlu_fallback"),
        ("What's the weather in Paris?", "out_of_scope"),
    ],
)
def test_no_thumbs_on_answers_that_are_not_factual(text, intent):
    message, slots = ask(text, intent)
    assert not any(p.startswith("/feedback") for p in payloads(message)), intent
    assert OFFER_SLOT not in slots and COUNT_SLOT not in slots


def test_at_most_once_every_three_answers():
    slots: Dict[str, Any] = {}
    shown = []
    questions = [
        (QUESTION, "ask_mobility_numbers"),
        ("Which programmes are taught in English?", "ask_english_programmes"),
        ("How much are the tuition fees?", "ask_not_covered"),  # an answer, not factual
        ("Tell me about the dual degree", "ask_dual_degree"),
        ("Which departments are popular?", "ask_popular_departments"),
        ("What projects do you have?", "ask_projects"),
        (QUESTION, "ask_mobility_numbers"),
    ]
    for text, intent in questions:
        message, slots = ask(text, intent, slots)
        shown.append(offered(message))
    assert shown == [True, False, False, True, False, False, True]


def test_a_multi_part_reply_offers_once():
    text = "How many students went abroad? Which programmes are taught in English?"
    first = "How many students went abroad?"
    parts = [
        {
            "text": first,
            "start": 0,
            "end": len(first),
            "intent": {"name": "ask_mobility_numbers", "confidence": 0.9},
        },
        {
            "text": text[len(first) + 1 :],
            "start": len(first) + 1,
            "end": len(text),
            "intent": {"name": "ask_english_programmes", "confidence": 0.9},
        },
    ]
    tracker = create_tracker(text, "ask_mobility_numbers", events=[user_event(text, "x")])
    tracker.latest_message["question_parts"] = parts
    messages, slots = run_action(action_for("ask_mobility_numbers"), tracker)
    assert len(messages) == 1
    assert [p for p in payloads(messages[0]) if p.startswith("/feedback")] == [UP, DOWN]
    facts = slots[OFFER_SLOT]["facts"]
    assert "mobility.students" in facts and len(facts) >= 2, "both parts' facts"


def test_a_staff_preview_is_not_offered_thumbs():
    message, _ = ask(QUESTION, "ask_mobility_numbers", who=f"{service.PREVIEW_PREFIX}1")
    assert not offered(message)


def test_thumbs_up_is_stored_once_without_the_sender_id():
    who = sender()
    _, slots = ask(QUESTION, "ask_mobility_numbers", who=who)
    thanks, slots = tap("up", slots, who)
    assert "glad" in thanks["text"].lower()
    again, slots = tap("up", slots, who)  # a second tap on the same answer
    assert again["text"]
    inbox, rows = stored_for(who)
    assert [(r.value, r.question, r.channel, r.language) for r in rows] == [
        ("up", QUESTION, "rest", "en")
    ]
    assert "mobility.students" in rows[0].answer_ref["facts"]
    assert rows[0].topic == "mobility" and rows[0].intent == "ask_mobility_numbers"
    with inbox.engine.connect() as connection:
        dumped = json.dumps(
            [dict(r._mapping) for r in connection.execute(select(t.feedback))], default=str
        )
    assert who not in dumped
    assert not [q for q in inbox.list_unanswered() if q.sender_hash == rows[0].conversation_hash]


def test_thumbs_down_asks_once_and_takes_the_next_message_as_its_comment():
    who = sender()
    _, slots = ask(QUESTION, "ask_mobility_numbers", who=who)
    question, slots = tap("down", slots, who)
    assert "what was wrong" in question["text"].lower()
    assert payloads(question) == ['/feedback{"value": "skip"}']
    assert slots[COMMENT_SLOT]
    down_event = user_event(DOWN, "feedback", value="down")
    comment = "The numbers are outdated, more students went last year"
    reply, slots = ask(comment, "ask_mobility_numbers", slots, who, [down_event])
    assert "passed that on" in reply["text"].lower()
    assert slots[COMMENT_SLOT] is None
    inbox, rows = stored_for(who)
    assert [(r.value, r.comment) for r in rows] == [("down", comment)]
    [wrong] = [q for q in inbox.list_unanswered() if q.sender_hash == rows[0].conversation_hash]
    assert (wrong.kind, wrong.text, wrong.comment) == ("wrong", QUESTION, comment)


def test_a_new_question_after_thumbs_down_is_answered_not_swallowed():
    who = sender()
    _, slots = ask(QUESTION, "ask_mobility_numbers", who=who)
    _, slots = tap("down", slots, who)
    down_event = user_event(DOWN, "feedback", value="down")
    reply, slots = ask(
        "Which programmes are taught in English?",
        "ask_english_programmes",
        slots,
        who,
        [down_event],
    )
    assert "passed that on" not in reply["text"].lower()
    assert "english" in reply["text"].lower()
    assert slots[COMMENT_SLOT] is None
    _, rows = stored_for(who)
    assert [(r.value, r.comment) for r in rows] == [("down", None)]


def test_only_the_message_right_after_thumbs_down_can_be_its_comment():
    who = sender()
    _, slots = ask(QUESTION, "ask_mobility_numbers", who=who)
    _, slots = tap("down", slots, who)
    history = [user_event(DOWN, "feedback", value="down"), user_event("hello", "greet")]
    reply, _ = ask("the numbers are outdated", "nlu_fallback", slots, who, history)
    assert "passed that on" not in reply["text"].lower()


def test_skip_after_thumbs_down_stores_no_comment():
    who = sender()
    _, slots = ask(QUESTION, "ask_mobility_numbers", who=who)
    _, slots = tap("down", slots, who)
    reply, slots = tap("skip", slots, who)
    assert reply["text"] and slots[COMMENT_SLOT] is None


def test_feedback_offered_says_whether_a_reply_carries_the_thumbs():
    reply = Answer("text", [Button.ask("More", "ask_projects")], "projects", faq_entries=[1])
    assert not feedback_offered(reply)
    offer_feedback(create_tracker("q", "ask_projects"), reply)
    assert feedback_offered(reply) and reply.buttons[0].title == "More"


def test_the_prompt_is_the_last_line_after_the_untranslated_note():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.reply import send
    from bot.answers.feedback import feedback_buttons
    from bot.i18n import speaking
    from bot.i18n.context import note_left_in_english

    dispatcher = CollectingDispatcher()
    with speaking("ru"):
        note_left_in_english("An aim with no translation yet.")
        send(dispatcher, Answer("Ответ.", feedback_buttons(), "projects"))
    paragraphs = dispatcher.messages[0]["text"].split("\n\n")
    assert paragraphs[0] == "Ответ."
    assert "English" in paragraphs[1] or "англ" in paragraphs[1].lower()
    assert paragraphs[2] == "_Было ли это полезно?_"
