"""Saving in the admin while the staff database is really locked (SQLite: another connection in
BEGIN EXCLUSIVE; PostgreSQL: ACCESS EXCLUSIVE on the tables) or read-only: an answer within a
few seconds that says "busy, nothing was lost, try again", with what was typed still there,
and nothing saved twice when it is tried again."""

from __future__ import annotations

import time
import uuid
from typing import Iterator

import pytest
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.staff_db.db import make_engine, migrate
from bot.staff_db.faq import FaqRepository
from bot.staff_db.inbox import Inbox
from bot.web.admin import AdminSettings
from bot.web.admin.grouping import Grouper
from bot.web.app import WebConfig, create_app
from tests.staff_db.conftest import _reset
from tests.staff_db.locks import read_only_url, write_locked
from tests.web.admin.helpers import entry, field_value, form_data, hidden
from tests.web.admin.live import Client, LiveApp, TopicEncoder

WAIT = 0.3  # the admin's lock wait in these tests (STAFF_DB_WAIT_SECONDS, 2 s by default)
BUSY = "The database is busy, nothing was lost, try again"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """The admin tests' `engine`, with a short lock wait."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}", wait=WAIT)
        migrate(engine)
    else:
        url, seeded = request.getfixturevalue("postgres_migrated")
        _reset(url, seeded)
        engine = make_engine(url, wait=WAIT)
    yield engine
    engine.dispose()


def timed(call):
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def test_a_new_answer_saved_while_locked_comes_back_filled_in_and_saves_once_after(client, engine):
    typed = entry("Is the pool open in August?", answer="Yes, **from 9 to 5**, see the sign.")
    with write_locked(engine):
        reply, took = timed(lambda: client.form("/admin/entries/new", form_data(typed)))
    assert reply.status_code == 503 and took < 4 * WAIT + 2
    assert reply.headers["Retry-After"] == "5"
    assert BUSY in reply.text
    assert field_value(reply.text, "question") == "Is the pool open in August?"
    assert field_value(reply.text, "answer") == "Yes, **from 9 to 5**, see the sign."
    assert field_value(reply.text, "tags") == "transport"
    assert FaqRepository(engine).list_entries() == []

    again = client.form("/admin/entries/new", form_data(typed))  # "try again", unlocked
    assert again.status_code == 302
    assert [e.question for e in FaqRepository(engine).list_entries()] == [typed["question"]]


def test_an_edit_saved_while_locked_keeps_the_text(client, engine):
    created = client.api("POST", "/entries", entry()).json()
    changed = form_data(entry(answer="A new answer nobody must lose."), version=created["version"])
    with write_locked(engine):
        reply, took = timed(lambda: client.form(f"/admin/entries/{created['id']}", changed))
    assert reply.status_code == 503 and took < 4 * WAIT + 2
    assert BUSY in reply.text and "A new answer nobody must lose." in reply.text
    assert FaqRepository(engine).get(created["id"]).answer == created["answer"], "not saved"


def test_the_api_says_503_busy_with_retry_after(client, engine):
    created = client.api("POST", "/entries", entry()).json()
    question = Inbox(engine, salt="s").record_unanswered("gym?", "rest", None, None, "a")
    handoff = Inbox(engine, salt="s").record_handoff("a", "rest", [])
    calls = [
        ("POST", "/entries", entry("Another question?")),
        ("PUT", f"/entries/{created['id']}", {"answer": "changed", "version": 1}),
        ("POST", f"/entries/{created['id']}/publish", {"version": 1}),
        ("POST", "/inbox/dismiss", {"ids": [question]}),
        ("POST", f"/handoffs/{handoff}/close", None),
    ]
    with write_locked(engine):
        for method, path, body in calls:
            reply, took = timed(lambda: client.api(method, path, body))  # noqa: B023
            assert reply.status_code == 503, (path, reply.text)
            assert reply.json() == {
                "error": "database_busy",
                "message": "the database is busy, nothing was lost, try again",
            }
            assert reply.headers["Retry-After"] == "5" and took < 4 * WAIT + 2
    assert FaqRepository(engine).get(created["id"]).state == "draft"
    assert [q.id for q in Inbox(engine).list_open_unanswered()] == [question]


def test_a_dismissal_while_locked_offers_to_try_the_same_again(client, engine):
    question = Inbox(engine, salt="s").record_unanswered("parking?", "rest", None, None, "a")
    with write_locked(engine):
        reply = client.form("/admin/inbox/dismiss", {"ids": str(question)})
    assert reply.status_code == 503 and BUSY in reply.text
    assert hidden(reply.text, "ids") == [str(question)]
    retry = {"ids": hidden(reply.text, "ids")[0], "csrf_token": hidden(reply.text, "csrf_token")[0]}
    assert client.post("/admin/inbox/dismiss", data=retry).status_code == 302
    assert Inbox(engine).list_open_unanswered() == []


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_read_only_database_says_busy_too(client, engine, monkeypatch):
    """The same file opened read-only (a full or read-only disk): staff can read, and a save
    says busy at once with the form filled, instead of a 500."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    read_only = make_engine(read_only_url(engine), wait=WAIT)
    settings = AdminSettings(secret_key="test-secret-key", bcrypt_rounds=4, seed_file=None)
    app = create_app(
        WebConfig(), name=f"admin_ro_{uuid.uuid4().hex[:8]}", engine=read_only, admin=settings
    )
    app.config.MOTD = False
    app.ctx.admin_grouper = Grouper(load=lambda: TopicEncoder())
    live = LiveApp(app).start()
    other = Client(live.url)
    try:
        other.http.cookies.update(client.http.cookies)  # signed in on the writable app
        other.csrf = client.csrf
        assert other.get("/admin/entries").status_code == 200
        reply = other.form("/admin/entries/new", form_data(entry(answer="Typed on a bad day.")))
        assert reply.status_code == 503 and BUSY in reply.text
        assert field_value(reply.text, "answer") == "Typed on a bad day."
        assert other.api("POST", "/entries", entry()).status_code == 503
    finally:
        other.close()
        live.stop()
        read_only.dispose()
