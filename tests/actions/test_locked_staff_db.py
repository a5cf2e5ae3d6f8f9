"""The actions with the staff database really locked (another connection in BEGIN EXCLUSIVE):
answers that need no database are as fast as ever, an unanswered question is kept (across an
action-server restart) and lands in the inbox once, and a handoff reply says what happened."""

from __future__ import annotations

import asyncio
import time
from typing import Iterator

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_up import ActionFollowUp
from actions.handoff import ActionHandoff
from actions.office import ActionOffice, ActionSource
from bot.answers.base import office_contact_hint
from bot.faq import service
from bot.staff_db.bootstrap import prepare_database
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from bot.staff_db.outbox import StaffOutbox
from tests.helpers import create_tracker, run_action, run_coroutine, said
from tests.staff_db.locks import write_locked

WAIT = 0.5


class Store:
    """A fresh staff database, the outbox the actions use, and a way to restart the latter."""

    def __init__(self, tmp_path, monkeypatch: pytest.MonkeyPatch, capacity: int = 100) -> None:
        self.url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
        prepare_database(self.url)
        self.engine = make_engine(self.url, wait=WAIT)
        self.inbox = Inbox(self.engine)
        self.spill = tmp_path / "outbox.jsonl"
        self.capacity = capacity
        monkeypatch.setenv("STAFF_DB_WAIT_SECONDS", str(WAIT))
        monkeypatch.setattr(service, "staff_outbox", lambda: self.outbox)
        self.outbox = self._new_outbox()

    def _new_outbox(self) -> StaffOutbox:
        outbox = StaffOutbox(
            lambda: self.inbox, self.spill, self.capacity, first_retry=0.1, last_retry=0.3
        )
        outbox.start()
        return outbox

    def restart(self) -> None:
        """What a restart of the action server does to the outbox: stop it, start a new one."""
        self.outbox.stop()
        self.outbox = self._new_outbox()

    def close(self) -> None:
        self.outbox.stop()
        self.engine.dispose()


@pytest.fixture()
def store(tmp_path, monkeypatch) -> Iterator[Store]:
    store = Store(tmp_path, monkeypatch)
    yield store
    store.close()


def test_answers_that_need_no_database_are_not_slowed_by_a_locked_one(store):
    async def both() -> tuple[float, str, float]:
        async def timed(action, tracker) -> tuple[float, str]:
            dispatcher = CollectingDispatcher()
            started = time.monotonic()
            await action.run(dispatcher, tracker, {})
            return time.monotonic() - started, said(dispatcher.messages)

        (unanswered, _), (office, text) = await asyncio.gather(
            timed(ActionFollowUp(), create_tracker("can I bring my cat?", sender_id="a")),
            timed(ActionOffice(), create_tracker("what does the office do", "ask_office")),
        )
        return unanswered, text, office

    with write_locked(store.engine):
        unanswered, text, office = run_coroutine(both())
        source = said(run_action(ActionSource(), create_tracker("where is this from"))[0])
    assert office < 0.2, f"a knowledge-base answer took {office:.2f} s with the database locked"
    assert "international relations and project management department" in text
    assert "international relations" in source
    assert unanswered < WAIT, "an unanswered question is queued, not waited for"


def test_an_unanswered_question_survives_the_lock_and_a_restart_and_lands_once(store):
    question = "Can I bring my cat to the dormitory?"
    with write_locked(store.engine):
        started = time.monotonic()
        messages, slots = run_action(ActionFollowUp(), create_tracker(question, sender_id="c"))
        assert time.monotonic() - started < WAIT
        assert slots["failed_answers"] == 1 and said(messages)
        store.restart()  # the action server restarts while the database is still locked
    assert store.outbox.counters.replayed == 1
    assert store.outbox.drain(10)
    rows = [q for q in store.inbox.list_unanswered() if q.text == question]
    assert len(rows) == 1 and rows[0].sender_hash == store.inbox.hash_sender("c")


def test_a_handoff_while_locked_is_queued_the_student_is_told_so_and_it_is_delivered(store):
    tracker = create_tracker("talk to a person", "request_human", sender_id="s-1")
    with write_locked(store.engine):
        messages, slots = run_action(ActionHandoff(), tracker)
        text = said(messages)
        assert "saved our conversation" in text and "in a few minutes" in text
        assert "passed our conversation on" not in text, "not delivered yet: not said"
        assert str(slots["handoff_id"]).startswith(service.QUEUED_PREFIX)
        follow = create_tracker("mail me: ana@example.org", slots=slots, sender_id="s-1")
        messages, after = run_action(ActionFollowUp(), follow)
        assert "saved your e-mail address" in said(messages) and after["handoff_id"] is None
    assert store.outbox.drain(10)
    [handoff] = store.inbox.list_handoffs()
    assert handoff.transcript[-1]["text"] == "mail me: ana@example.org"


def test_a_handoff_stored_at_once_is_reported_as_passed_on(store):
    messages, slots = run_action(ActionHandoff(), create_tracker("human", "request_human"))
    assert "passed our conversation on" in said(messages)
    assert [h.id for h in store.inbox.list_handoffs()] == [slots["handoff_id"]]


def test_a_handoff_that_cannot_even_be_queued_says_so_and_whom_to_contact(tmp_path, monkeypatch):
    store = Store(tmp_path, monkeypatch, capacity=0)  # the queue is full
    try:
        with write_locked(store.engine):
            messages, slots = run_action(ActionHandoff(), create_tracker("human", "request_human"))
    finally:
        store.close()
    text = said(messages)
    assert "can't pass our conversation on to staff right now" in text
    assert office_contact_hint().lower() in text, "the office's contacts, from the knowledge base"
    assert slots["handoff_id"] is None
    assert store.inbox.list_handoffs() == []
