"""Unanswered-question inbox and handoffs: rows, status changes, and no raw sender id stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.staff_db import tables as t
from bot.staff_db.errors import NotFoundError
from bot.staff_db.faq import FaqRepository
from bot.staff_db.inbox import Inbox, clean_text
from tests.staff_db.helpers import draft

SENDER = "psid-1234567890-secret"


@pytest.fixture()
def inbox(engine, monkeypatch):
    monkeypatch.delenv("INBOX_SALT", raising=False)
    return Inbox(engine)


def all_rows(engine, table) -> list:
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(table))]


def test_record_and_list_open_questions(inbox):
    first = inbox.record_unanswered("Is there a dorm?", "rest", "ask_housing", 0.41, SENDER)
    second = inbox.record_unanswered("Visa fee?", "facebook", None, None, "someone-else")

    rows = inbox.list_open_unanswered()

    assert [r.id for r in rows] == [second, first]  # newest first
    older = rows[1]
    assert (older.text, older.channel, older.guessed_intent) == (
        "Is there a dorm?",
        "rest",
        "ask_housing",
    )
    assert older.confidence == pytest.approx(0.41)
    assert older.status == "open"
    assert older.created_at.tzinfo is not None
    assert rows[0].guessed_intent is None and rows[0].confidence is None


def test_the_raw_sender_id_is_never_stored(inbox, engine):
    inbox.record_unanswered("Question?", "rest", "x", 0.1, SENDER)
    inbox.record_handoff(
        SENDER, "rest", [{"who": "student", "text": "help", "time": "2024-01-01T10:00:00"}]
    )

    for table in (t.unanswered, t.handoffs, t.settings):
        for row in all_rows(engine, table):
            assert SENDER not in repr(row)
            assert "1234567890" not in repr(row)
    stored = all_rows(engine, t.unanswered)[0]["sender_hash"]
    assert stored == inbox.hash_sender(SENDER)
    assert len(stored) == 64 and stored != inbox.hash_sender("someone-else")


def test_salt_is_made_once_per_database_or_taken_from_the_environment(engine, monkeypatch):
    monkeypatch.delenv("INBOX_SALT", raising=False)
    first = Inbox(engine).hash_sender(SENDER)
    assert Inbox(engine).hash_sender(SENDER) == first  # same stored salt, new instance
    stored = {r["key"]: r["value"] for r in all_rows(engine, t.settings)}[t.INBOX_SALT_KEY]
    assert len(stored) == 64

    monkeypatch.setenv("INBOX_SALT", "from-the-environment")
    from_env = Inbox(engine).hash_sender(SENDER)
    assert from_env != first
    assert Inbox(engine, salt="from-the-environment").hash_sender(SENDER) == from_env


def test_text_is_cleaned_and_trimmed(inbox):
    inbox.record_unanswered("a\x00b\x07c\nd\te\x1b" + "x" * 2000, "re\x00st", "i", 0.5, SENDER)
    row = inbox.list_open_unanswered()[0]
    assert row.text.startswith("abc\nd\tex")
    assert len(row.text) == 1000
    assert "\x00" not in row.text and "\x1b" not in row.text
    assert row.channel == "rest"
    assert clean_text("  \x00 ") == ""


def test_dismiss_and_mark_answered(inbox, engine, known_facts):
    entry = FaqRepository(engine, known_fact_ids=known_facts).create(draft(), who="a")
    a, b, c = (inbox.record_unanswered(q, "rest", None, None, SENDER) for q in "abc")

    assert inbox.dismiss([a, b], who="aysel") == 2
    assert inbox.dismiss([a], who="aysel") == 0  # already dismissed
    assert [r.id for r in inbox.list_open_unanswered()] == [c]
    assert inbox.mark_answered([b, c], entry.id, who="aysel") == 2

    rows = {r.id: r for r in inbox.list_unanswered()}
    assert rows[a].status == "dismissed" and rows[a].handled_by == "aysel"
    assert rows[a].faq_entry_id is None
    assert (rows[b].status, rows[b].faq_entry_id) == ("answered", entry.id)
    assert (rows[c].status, rows[c].faq_entry_id) == ("answered", entry.id)
    assert rows[c].handled_at is not None
    assert inbox.list_open_unanswered() == []
    assert inbox.dismiss([], who="x") == 0
    with pytest.raises(NotFoundError):
        inbox.mark_answered([a], 9999)


def test_handoffs_record_list_and_close(inbox):
    when = dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.timezone.utc)
    first = inbox.record_handoff(
        SENDER,
        "facebook",
        [
            {"who": "student", "text": "I need a person\x00", "time": when},
            {"who": "bot", "text": "Connecting you.", "time": "2024-05-01T09:30:05+00:00"},
        ],
    )
    second = inbox.record_handoff("other", "rest", [{"who": "student", "text": "hi"}])

    open_ = inbox.list_handoffs("open")
    assert [h.id for h in open_] == [second, first]
    handoff = open_[1]
    assert handoff.transcript == [
        {"who": "student", "text": "I need a person", "time": "2024-05-01T09:30:00+00:00"},
        {"who": "bot", "text": "Connecting you.", "time": "2024-05-01T09:30:05+00:00"},
    ]
    assert handoff.sender_hash == inbox.hash_sender(SENDER)

    closed = inbox.close_handoff(first, who="aysel")
    assert (closed.status, closed.closed_by) == ("closed", "aysel")
    assert inbox.close_handoff(first, who="someone").closed_by == "aysel"
    assert [h.id for h in inbox.list_handoffs("open")] == [second]
    assert [h.id for h in inbox.list_handoffs("closed")] == [first]
    assert len(inbox.list_handoffs(None)) == 2
    with pytest.raises(NotFoundError):
        inbox.close_handoff(9999, who="x")


def test_a_transcript_turn_must_say_who_spoke(inbox):
    with pytest.raises(ValueError):
        inbox.record_handoff(SENDER, "rest", [{"who": "agent", "text": "hi"}])
    assert inbox.list_handoffs(None) == []
