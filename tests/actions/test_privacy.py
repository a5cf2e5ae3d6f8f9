"""The deletion request action in process: the reference is the conversation's own (the keyed
HMAC of its sender id, in the reply's language), and with no staff database to read the key
from, the student hears that, not a made-up reference or Rasa's timeout."""

from __future__ import annotations

import re

from actions.privacy import ActionRequestDeletion
from bot.faq import service
from bot.privacy.reference import deletion_reference
from bot.staff_db.bootstrap import prepare_database
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from tests.helpers import create_tracker, run_action, said

REFERENCE = re.compile(r"[A-Z2-7]{5}-[A-Z2-7]{5}")


def test_the_reply_holds_the_conversations_reference(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
    prepare_database(url)
    inbox = Inbox(make_engine(url))
    monkeypatch.setattr(service, "staff_inbox", lambda: inbox)
    tracker = create_tracker(
        "удалите мои данные", "request_deletion", slots={"language": "ru"}, sender_id="psid-77"
    )
    messages, _ = run_action(ActionRequestDeletion(), tracker)
    text = said(messages)
    assert REFERENCE.findall(text.upper()) == [deletion_reference(inbox.salt(), "psid-77")]
    assert "psid-77" not in text and "удал" in text, "in the student's language"


def test_without_the_staff_database_the_student_is_told_so(tmp_path, monkeypatch):
    not_set_up = Inbox(make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    monkeypatch.setattr(service, "staff_inbox", lambda: not_set_up)
    messages, _ = run_action(ActionRequestDeletion(), create_tracker("delete my data"))
    text = said(messages)
    assert "can't give you a reference" in text
    assert not REFERENCE.search(text.upper())
