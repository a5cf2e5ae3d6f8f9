"""The action server's outbox against a really locked and a really read-only staff database:
writes are queued (in memory and in the spill file), stored once the database takes them, kept
across a restart, never stored twice, and refused loudly only when the queue is full."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.staff_db import tables as t
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from bot.staff_db.outbox import StaffOutbox
from tests.staff_db.locks import read_only_url, write_locked

WAIT = 0.3  # the lock wait of the outbox's own engine: short, so the tests are


def fast_inbox(url: str) -> Inbox:
    return Inbox(make_engine(url, wait=WAIT), salt="test-salt")


def outbox_for(url: str, path: Path, **options) -> StaffOutbox:
    inbox = fast_inbox(url)
    outbox = StaffOutbox(lambda: inbox, path, first_retry=0.1, last_retry=0.3, **options)
    outbox.start()
    return outbox


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def question(text: str, sender: str = "student-1") -> dict:
    return {"text": text, "channel": "rest", "intent": "ask_x", "confidence": 0.2, "sender": sender}


def test_a_question_asked_while_locked_is_queued_and_stored_once_after(engine, tmp_path):
    spill = tmp_path / "outbox.jsonl"
    outbox = outbox_for(url_of(engine), spill)
    try:
        with write_locked(engine):
            started = time.monotonic()
            assert outbox.put("unanswered", question("Is the gym open on Sundays?"))
            assert time.monotonic() - started < 0.1, "put() must never wait for the database"
            time.sleep(3 * WAIT)
            assert outbox.pending() == 1 and outbox.counters.retried >= 1
            assert "Is the gym open on Sundays?" in spill.read_text(), "kept on disk meanwhile"
        assert outbox.drain(10)
    finally:
        outbox.stop()
    rows = [q for q in Inbox(engine).list_unanswered() if q.text == "Is the gym open on Sundays?"]
    assert len(rows) == 1 and rows[0].record_key and rows[0].guessed_intent == "ask_x"
    assert not spill.exists(), "the spill file is removed once everything is stored"


def test_queued_writes_survive_a_restart_and_nothing_is_stored_twice(engine, tmp_path):
    spill = tmp_path / "outbox.jsonl"
    url = url_of(engine)
    first = outbox_for(url, spill)
    with write_locked(engine):
        one = first.put("unanswered", question("Where is the library?"))
        first.put("unanswered", question("Can I park on campus?"))
        handoff = first.put("handoff", {"sender": "s-9", "channel": "rest", "transcript": []})
        first.put(
            "handoff_contact",
            {"sender": "s-9", "text": "me@example.org", "handoff_key": handoff.key},
        )
        first.stop()  # the action server is restarted while the database is still locked
    # It had stored the first question just before it died, without writing its "done" line.
    fast_inbox(url).record_unanswered(
        "Where is the library?", "rest", None, None, "student-1", record_key=one.key
    )
    with spill.open("a") as cut_short:  # a crash in the middle of a line
        cut_short.write('{"key": "abc", "kind": "unans')

    second = outbox_for(url, spill)
    try:
        assert second.counters.replayed == 4
        assert second.drain(10)
    finally:
        second.stop()
    inbox = Inbox(engine)
    texts = [q.text for q in inbox.list_unanswered()]
    assert sorted(texts) == ["Can I park on campus?", "Where is the library?"], "each once"
    [stored] = [h for h in inbox.list_handoffs() if h.record_key == handoff.key]
    assert [turn["text"] for turn in stored.transcript] == ["me@example.org"]


def test_a_read_only_database_keeps_writes_queued_until_it_is_writable_again(tmp_path):
    from bot.staff_db.bootstrap import prepare_database

    path = tmp_path / "staff.sqlite3"
    prepare_database(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    spill = tmp_path / "outbox.jsonl"
    read_only = outbox_for(read_only_url(engine), spill)
    read_only.put("unanswered", question("Is there a swimming pool?"))
    time.sleep(3 * WAIT)
    assert read_only.pending() == 1 and read_only.counters.retried >= 1
    read_only.stop()

    writable = outbox_for(f"sqlite:///{path}", spill)  # restarted on a writable disk
    try:
        assert writable.drain(10)
    finally:
        writable.stop()
    assert [q.text for q in Inbox(engine).list_unanswered()] == ["Is there a swimming pool?"]
    engine.dispose()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_full_outbox_refuses_and_says_so_loudly(engine, tmp_path, caplog):
    outbox = outbox_for(url_of(engine), tmp_path / "outbox.jsonl", capacity=1)
    try:
        with write_locked(engine), caplog.at_level(logging.ERROR):
            assert outbox.put("unanswered", question("first"))
            assert outbox.put("unanswered", question("second")) is None
            assert outbox.counters.refused == 1
            assert "STAFF OUTBOX FULL" in caplog.text
        assert outbox.drain(10)
    finally:
        outbox.stop()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_an_unwritable_spill_file_still_stores_and_says_so_loudly(engine, tmp_path, caplog):
    outbox = outbox_for(url_of(engine), tmp_path)  # a directory: appending to it fails
    try:
        with caplog.at_level(logging.ERROR):
            assert outbox.put("unanswered", question("kept in memory"))
        assert outbox.counters.not_durable == 1 and "in memory only" in caplog.text
        assert outbox.drain(10)
    finally:
        outbox.stop()
    assert [q.text for q in Inbox(engine).list_unanswered()] == ["kept in memory"]


def test_the_record_key_column_is_unique(engine):
    inbox = Inbox(engine, salt="s")
    first = inbox.record_handoff("a", "rest", [], record_key="k1")
    assert inbox.record_handoff("a", "rest", [], record_key="k1") == first
    assert inbox.id_for_key(t.handoffs, "k1") == first
