"""👍/👎 end to end over the REST channel of the running servers: offered on a factual answer
(after its own buttons), not on chit-chat, not again before three answers; a 👎 asks what was
wrong, the comment reaches the staff inbox as 'wrong' without the sender id, and a new question
after a 👎 is answered, not taken as a comment."""

from __future__ import annotations

import json
import time
import uuid
from typing import Dict, List

import pytest
from sqlalchemy import select

from bot.staff_db import tables as t
from bot.staff_db.db import make_engine
from bot.staff_db.feedback import FeedbackRepository
from bot.staff_db.inbox import Inbox
from tests.e2e.scoring import flatten

pytestmark = pytest.mark.e2e
UP = '/feedback{"value": "up"}'
DOWN = '/feedback{"value": "down"}'


def payloads(messages: List[Dict]) -> List[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def offered(messages: List[Dict]) -> bool:
    return payloads(messages)[-2:] == [UP, DOWN]


def test_a_conversation_with_feedback(servers):
    from tests.servers import ask

    sender = f"e2e-feedback-{uuid.uuid4().hex}"

    def say(text: str) -> List[Dict]:
        return ask(servers.webhook, sender, text)

    assert not offered(say("hello")), "never on chit-chat"
    answer = say("How many students went abroad on exchange?")
    assert offered(answer) and len(payloads(answer)) > 2, "after the answer's own buttons"
    what = say(DOWN)
    assert "what was wrong" in flatten(what).lower()
    comment = f"The numbers look outdated {uuid.uuid4().hex[:6]}"
    assert "passed that on" in flatten(say(comment)).lower()

    assert not offered(say("Which programmes are taught in English?"))
    assert not offered(say("Tell me about the dual degree"))
    again = say("Which departments are the most popular?")
    assert offered(again), "the third answer after the last offer"
    say(DOWN)
    after = flatten(say("Who coordinates PROMIG?"))
    assert "passed that on" not in after.lower(), "a new question is answered"
    assert "PROMIG" in after

    engine = make_engine(servers.database_url)
    try:
        inbox = Inbox(engine)
        conversation = inbox.hash_sender(sender)
        deadline = time.monotonic() + 10
        while True:
            mine = [
                f for f in FeedbackRepository(inbox).list() if f.conversation_hash == conversation
            ]
            if len(mine) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert {f.question: f.comment for f in mine} == {
            "How many students went abroad on exchange?": comment,
            "Which departments are the most popular?": None,
        }
        assert {(f.value, f.channel) for f in mine} == {("down", "rest")}
        wrong = [q for q in inbox.list_open_unanswered() if q.sender_hash == conversation]
        assert {q.text: (q.kind, q.comment) for q in wrong} == {
            "How many students went abroad on exchange?": ("wrong", comment),
            "Which departments are the most popular?": ("wrong", None),
        }
        with engine.connect() as connection:
            rows = [dict(r._mapping) for r in connection.execute(select(t.feedback))]
        assert sender not in json.dumps(rows, default=str)
    finally:
        engine.dispose()
