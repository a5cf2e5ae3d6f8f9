"""A REST conversation with the running servers is counted: the replies carry their analytics
metadata into the tracker store, and the aggregate reads it, keyed by the salted hash."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from bot.analytics.aggregate import refresh
from bot.staff_db import tables as t
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox

pytestmark = pytest.mark.e2e


def test_a_rest_conversation_is_counted_part_by_part(servers):
    from tests.servers import ask

    sender = f"e2e-analytics-{uuid.uuid4().hex}"
    for text in (
        "hello",
        "Which programmes are taught in English?",
        "How much is the tuition fee? And do you have partner universities in Poland?",
        "What's the weather like tomorrow?",
    ):
        assert ask(servers.webhook, sender, text)
    staff = make_engine(servers.database_url)
    try:
        refresh(staff, servers._env()["TRACKER_STORE_URL"], settle_seconds=0)
        parts = t.analytics_parts
        conversation = Inbox(staff).hash_sender(sender)
        with staff.connect() as connection:
            rows = connection.execute(
                sa.select(
                    parts.c.part, parts.c.outcome, parts.c.topic, parts.c.channel, parts.c.question
                )
                .where(parts.c.conversation == conversation)
                .order_by(parts.c.message_event, parts.c.part)
            ).all()
            stored = connection.execute(
                sa.select(sa.func.count()).where(parts.c.conversation == sender)
            ).scalar_one()
    finally:
        staff.dispose()
    assert stored == 0, "never the raw sender id"
    assert {row.channel for row in rows} == {"rest"}
    outcomes = [(row.part, row.outcome) for row in rows]
    assert len(rows) == 5, outcomes  # four messages, one of them with two questions
    hello, programmes, fee, poland, weather = rows
    assert (hello.part, hello.outcome) == (0, "chitchat")
    assert (programmes.outcome, programmes.topic) == ("answered_fact", "programmes")
    assert (fee.part, fee.outcome, poland.part, poland.outcome) == (
        0,
        "not_covered",
        1,
        "answered_fact",
    ), outcomes
    assert "Poland" in poland.question and "tuition" in fee.question
    assert weather.outcome in ("out_of_scope", "fallback")
