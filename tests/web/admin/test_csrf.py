"""Forms and API calls that change anything need the session's CSRF token; nothing is written
without it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.staff_db import tables as t
from bot.staff_db.faq import FaqDraft, FaqRepository
from bot.staff_db.inbox import Inbox
from tests.web.admin.helpers import entry, form_data


def counts(engine) -> dict:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar()
            for table in (t.faq_entries, t.faq_revisions, t.unanswered, t.handoffs)
        }


@pytest.fixture()
def seeded(engine, staff):
    repo = FaqRepository(engine)
    draft = FaqDraft("How do I apply?", "Through the office.", owner="International Office")
    created = repo.create(draft, "seed")
    inbox = Inbox(engine, salt="s")
    question = inbox.record_unanswered("is there a gym", "rest", None, None, "u1")
    handoff = inbox.record_handoff("u2", "rest", [{"who": "student", "text": "a person please"}])
    return created, question, handoff


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_api_writes_without_the_right_token_are_403(client, engine, seeded, token):
    created, question, handoff = seeded
    before = counts(engine)
    client.csrf = token
    calls = [
        ("POST", "/entries", entry()),
        ("PUT", f"/entries/{created.id}", {**entry(), "version": 1}),
        ("POST", f"/entries/{created.id}/publish", {"version": 1}),
        ("POST", f"/entries/{created.id}/unpublish", {"version": 1}),
        ("POST", f"/entries/{created.id}/rollback", {"to_version": 1, "version": 1}),
        ("POST", "/inbox/dismiss", {"ids": [question]}),
        ("POST", f"/handoffs/{handoff}/close", None),
        ("POST", "/preview", {"question": "hi"}),
    ]
    for method, path, body in calls:
        reply = client.api(method, path, body, csrf=token is not None)
        assert reply.status_code == 403, (method, path, reply.text)
        assert "X-CSRF-Token" in reply.json()["error"]
    assert counts(engine) == before
    assert FaqRepository(engine).get(created.id).version == 1
    assert Inbox(engine).list_open_unanswered()[0].id == question
    assert Inbox(engine).list_handoffs("open")[0].id == handoff


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_form_posts_without_the_right_token_are_403(client, engine, seeded, fake_bot, token):
    created, question, handoff = seeded
    before = counts(engine)
    data = {} if token is None else {"csrf_token": token}
    posts = [
        ("/admin/entries/new", form_data(entry(), action="publish")),
        (f"/admin/entries/{created.id}", form_data(entry(), version="1")),
        (f"/admin/entries/{created.id}/publish", {"version": "1"}),
        (f"/admin/entries/{created.id}/unpublish", {"version": "1"}),
        (f"/admin/entries/{created.id}/rollback", {"to_version": "1", "version": "1"}),
        ("/admin/inbox/dismiss", {"ids": str(question)}),
        (f"/admin/handoffs/{handoff}/close", {}),
        ("/admin/preview", {"question": "hi"}),
        ("/admin/logout", {}),
    ]
    for path, fields in posts:
        reply = client.post(path, data={**fields, **data})
        assert reply.status_code == 403, (path, reply.status_code)
        assert "did not come from this admin" in reply.text
    assert counts(engine) == before
    assert FaqRepository(engine).get(created.id).version == 1
    assert fake_bot.requests == [], "a preview without a token did not reach the bot"
    assert client.api("GET", "/me").status_code == 200, "the forged logout did not log out"


def test_the_token_in_a_header_is_not_accepted_by_forms_nor_a_form_field_by_the_api(
    client, engine, seeded
):
    before = counts(engine)
    reply = client.post(
        "/admin/entries/new",
        data=form_data(entry(), action="draft"),
        headers={"X-CSRF-Token": client.csrf},
    )
    assert reply.status_code == 403
    reply = client.http.post(
        client.url("/admin/api/entries"), data={**entry(), "csrf_token": client.csrf}, timeout=30
    )
    assert reply.status_code == 403
    assert counts(engine) == before


def test_another_sessions_token_is_refused(client, live, engine, seeded, users):
    from tests.web.admin.live import Client

    users.add_user("staff.two", "another long password")
    other = Client(live.url)
    assert other.login("staff.two", "another long password").status_code == 200
    before = counts(engine)
    client.csrf = other.csrf
    assert client.api("POST", "/entries", entry()).status_code == 403
    assert counts(engine) == before
