"""The live FAQ index with its tables really locked on PostgreSQL (ACCESS EXCLUSIVE on the FAQ
and settings tables, so even reading the revision marker waits): a question is answered from the
last loaded index within the short fresh-check wait, and an edit published once the lock is gone
answers the very next question."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.future import create_engine

from bot.faq import service
from bot.staff_db.faq import FaqRepository
from bot.staff_db.validation import FaqDraft
from tests.helpers import run_coroutine
from tests.staff_db.conftest import engine, postgres_migrated  # noqa: F401
from tests.web.admin.live import TopicEncoder

pytestmark = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


def publish(store, question: str, answer: str) -> None:
    draft = FaqDraft(question, answer, owner="International Office", state="published")
    FaqRepository(store).create(draft, "staff.one")


def test_a_locked_faq_table_never_delays_an_answer(engine, monkeypatch):  # noqa: F811
    monkeypatch.setattr("bot.language.e5.get_e5_encoder", TopicEncoder)
    publish(engine, "Is there a gym on campus?", "Yes, in building B.")
    faq = service.StaffFaq(engine)
    faq.index.min_interval = 0.0  # check the marker on every question
    assert "building B" in faq.answer_for("gym opening?").text

    other = create_engine(engine.url.render_as_string(hide_password=False), future=True)
    with other.connect() as connection, connection.begin():
        connection.execute(text("LOCK TABLE faq_entries, settings IN ACCESS EXCLUSIVE MODE"))
        for _ in range(3):
            started = time.monotonic()
            reply = faq.answer_for("is the gym open?")
            assert time.monotonic() - started < 0.3, "waited for the locked database"
            assert "building B" in reply.text, "answered from the last loaded index"
            started = time.monotonic()
            reply = run_coroutine(faq.fresh_answer_for("is the gym open?"))
            waited = time.monotonic() - started
            assert waited < service.FRESH_WAIT_SECONDS + 0.3, "waited for the locked database"
            assert "building B" in reply.text, "answered from the last loaded index"
    other.dispose()

    publish(engine, "Is there a shuttle from the airport?", "Yes, every hour.")
    time.sleep(0.3)  # the check started under the lock ends once the lock is gone
    reply = run_coroutine(faq.fresh_answer_for("airport shuttle?"))
    assert "every hour" in getattr(reply, "text", ""), "the next question got the published entry"
