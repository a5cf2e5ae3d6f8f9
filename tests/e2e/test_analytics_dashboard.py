"""The office's view of real conversations: students ask over the REST channel of the running
servers, and the dashboard's API (the web process reading the tracker store into the aggregate
itself) counts their messages and what became of each question."""

from __future__ import annotations

import time
import uuid

import pytest

from bot.staff_db.db import make_engine
from bot.staff_db.users import Users
from tests.web.admin.live import Client

pytestmark = pytest.mark.e2e
PASSWORD = "a long staff password"
COUNTED_WITHIN_SECONDS = 10  # the web refreshes at most once a second (ANALYTICS_REFRESH_SECONDS)
ANSWERED = ("answered_fact", "answered_faq")


def figures(client: Client) -> dict:
    reply = client.api("GET", "/analytics?period=7d&channel=rest")
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert report["note"] is None, report["note"]
    answered = sum(report["outcomes"][o] for o in ANSWERED)
    return {"messages": report["messages"], "answered": answered, "parts": report["question_parts"]}


def test_the_dashboard_counts_what_students_asked(servers, conversation):
    engine = make_engine(servers.database_url)
    username = f"staff.{uuid.uuid4().hex[:8]}"
    Users(engine, rounds=4).add_user(username, PASSWORD)
    engine.dispose()
    client = Client(servers.page.rstrip("/"))
    assert client.login(username, PASSWORD).status_code == 200
    try:
        before = figures(client)
        assert conversation("Who coordinates PROMIG?")
        assert conversation("How much is the tuition fee for a master's programme?")
        asked = time.monotonic()
        after = figures(client)
        while after["messages"] < before["messages"] + 2:
            assert time.monotonic() - asked < COUNTED_WITHIN_SECONDS, (before, after)
            time.sleep(0.5)
            after = figures(client)
        assert after == {
            "messages": before["messages"] + 2,
            "answered": before["answered"] + 1,
            "parts": before["parts"] + 2,
        }
        page = client.get("/admin/analytics?period=7d&channel=rest")
        assert page.status_code == 200 and f"<dd>{after['messages']:,}</dd>" in page.text
    finally:
        client.close()
