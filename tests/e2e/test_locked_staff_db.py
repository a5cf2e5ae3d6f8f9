"""The real servers with their staff database really locked (another connection in BEGIN
EXCLUSIVE): knowledge-base answers come as fast as ever, an unanswered question and a handoff
are kept and reach the inbox once after the lock, and the student is told the truth."""

from __future__ import annotations

import time
import uuid

import pytest

from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from tests.e2e.scoring import flatten
from tests.staff_db.locks import write_locked

pytestmark = pytest.mark.e2e
APOLOGY = "can't look that up right now"


def test_a_locked_staff_database_costs_students_nothing_and_loses_nothing(servers):
    from tests.servers import ask

    engine = make_engine(servers.database_url)
    inbox = Inbox(engine)
    tag = uuid.uuid4().hex[:6]
    question = f"Can I bring my cat {tag} to the dormitory?"
    timings = {}
    with write_locked(engine):
        for name, sender, text in [
            ("kb", f"kb-{tag}", "what does the international office do?"),
            ("unanswered", f"cat-{tag}", question),
            ("handoff", f"human-{tag}", "/request_human"),
        ]:
            started = time.monotonic()
            timings[name] = (
                flatten(ask(servers.webhook, sender, text)),
                time.monotonic() - started,
            )
    kb, kb_s = timings["kb"]
    assert "International Relations" in kb and kb_s < 3, (kb_s, kb)
    reply, unanswered_s = timings["unanswered"]
    assert APOLOGY not in reply and unanswered_s < 3
    handoff, _ = timings["handoff"]
    assert "saved our conversation" in handoff and APOLOGY not in handoff

    deadline = time.monotonic() + 20  # the outbox retries every 0.5 s doubling to 10 s
    while time.monotonic() < deadline:
        rows = [q for q in inbox.list_unanswered() if q.text == question]
        handoffs = [
            h for h in inbox.list_handoffs() if h.sender_hash == inbox.hash_sender(f"human-{tag}")
        ]
        if rows and handoffs:
            break
        time.sleep(0.25)
    assert len(rows) == 1 and len(handoffs) == 1, "each stored once, after the lock"
    engine.dispose()
