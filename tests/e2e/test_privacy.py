"""Deletion by reference, end to end through the REST channel of the running servers: a student
asks (in English or Russian) for their conversation to be deleted, gets its reference (the
keyed HMAC of their sender id, never the id), and `python -m bot retention --delete REF`
deletes the conversation the servers stored."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from bot.ops import retention
from bot.privacy.reference import deletion_reference
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from tests.privacy.conversations import event_count
from tests.servers import ask

pytestmark = pytest.mark.e2e
REFERENCE = re.compile(r"\b[A-Z2-7]{5}-[A-Z2-7]{5}\b")


def reply_text(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


@pytest.fixture(scope="module")
def key(servers) -> str:
    engine = make_engine(servers.database_url)
    try:
        return Inbox(engine).salt()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("language", "request_text", "cue"),
    [("en", "please delete my conversation", "reference"), ("ru", "удалите мою переписку", "Код")],
)
def test_a_deletion_request_gets_the_conversations_own_reference(
    servers, key, language, request_text, cue
):
    sender = f"e2e-privacy-{uuid.uuid4().hex[:10]}"
    text = reply_text(ask(servers.webhook, sender, request_text))
    found = REFERENCE.findall(text)
    assert found == [deletion_reference(key, sender)], text
    assert sender not in text and cue in text
    assert f"/privacy?lang={language}" in text, "the reply links the privacy page"
    again = reply_text(ask(servers.webhook, sender, request_text))
    assert REFERENCE.findall(again) == found, "the same conversation, the same reference"


def test_staff_delete_the_conversation_with_the_reference_the_student_got(servers, key, capsys):
    sender = f"e2e-privacy-{uuid.uuid4().hex[:10]}"
    ask(servers.webhook, sender, "which programmes are taught in English?")
    (reference,) = REFERENCE.findall(reply_text(ask(servers.webhook, sender, "delete my data")))
    tracker_url = servers.config_overrides["TRACKER_STORE_URL"]
    tracker = sa.create_engine(tracker_url)
    try:
        assert event_count(tracker, sender) > 0
        argv = ["--delete", reference, "--url", tracker_url, "--staff-url", servers.database_url]
        assert retention.main(argv) == 0
        assert f"Deleted conversation {reference}" in capsys.readouterr().out
        assert event_count(tracker, sender) == 0
    finally:
        tracker.dispose()
