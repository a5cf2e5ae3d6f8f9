"""/admin/analytics, its CSV and /admin/api/analytics over a generated tracker store.

The conversations are generated into a real SQLite tracker store (tests/analytics/generate.py,
Rasa's `events` table); the admin reads them into the aggregate of the staff database (SQLite
and PostgreSQL: the `engine` fixture) on the first view, and every figure is checked against
the generator's own brute-force count, not against the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from typing import Any, Dict, List

import pytest
from sqlalchemy import update

from bot.analytics.aggregate import refresh
from bot.analytics.report import build_report
from bot.staff_db import tables as t
from bot.staff_db.faq import FaqRepository
from bot.staff_db.feedback import FeedbackRepository
from bot.staff_db.inbox import Inbox
from bot.staff_db.validation import FaqDraft
from bot.web.admin.analytics_query import baku_today
from bot.web.admin.analytics_refresh import STALE_NOTE
from tests.analytics.generate import Conversation, brute_force
from tests.web.admin.analytics_fixtures import DAYS, analytics_live, tracker  # noqa: F401
from tests.web.admin.live import Client


@pytest.fixture()
def staff_client(analytics_live, staff):  # noqa: F811
    client = Client(analytics_live.url)
    assert client.login().status_code == 200
    yield client
    client.close()


def expected(conversations: List[Conversation], start: dt.date, end: dt.date, **filters):
    return brute_force(conversations, start, end, filters.get("channel"), filters.get("language"))


def assert_figures(report: Dict[str, Any], want) -> None:
    assert report["conversations"] == want.conversations
    assert report["messages"] == want.messages
    assert report["outcomes"] == {o: want.outcomes.get(o, 0) for o in report["outcomes"]}
    assert report["question_parts"] == sum(n for o, n in want.outcomes.items() if o != "chitchat")
    assert {t["topic"]: t["questions"] for t in report["top_topics"]} == dict(want.topics)
    unanswered = {
        d["day"]: d["unanswered"] for d in report["unanswered_per_day"] if d["unanswered"]
    }
    assert unanswered == {day.isoformat(): n for day, n in want.unanswered_days.items()}
    hours = {h["hour"]: h["messages"] for h in report["busiest_hours"] if h["messages"]}
    assert hours == dict(want.hours)


SQLITE_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # no storage in it


@SQLITE_ONLY
def test_closed_without_login(anonymous):
    for path in ("/admin/analytics", "/admin/analytics.csv?period=7d"):
        reply = anonymous.get(path)
        assert reply.status_code == 302, path
        assert reply.headers["Location"].startswith("/admin/login?next=%2Fadmin%2Fanalytics")
    api = anonymous.get("/admin/api/analytics")
    assert api.status_code == 401 and api.json() == {"error": "login required"}


def test_api_figures_equal_a_brute_force_count_and_follow_every_filter(staff_client, tracker):  # noqa: F811
    conversations = tracker["conversations"]
    today = baku_today()
    month = staff_client.api("GET", "/analytics?period=30d").json()
    assert (month["period"], month["start"], month["end"], month["timezone"]) == (
        "30d",
        (today - dt.timedelta(days=29)).isoformat(),
        today.isoformat(),
        "Asia/Baku",
    )
    assert_figures(month, expected(conversations, today - dt.timedelta(days=29), today))

    week = staff_client.api("GET", "/analytics?period=7d").json()
    assert_figures(week, expected(conversations, today - dt.timedelta(days=6), today))
    assert 0 < week["messages"] < month["messages"], "the period changes the figures"

    start, end = today - dt.timedelta(days=DAYS), today - dt.timedelta(days=10)
    query = f"/analytics?period=range&start={start}&end={end}"
    everything = staff_client.api("GET", query).json()
    assert_figures(everything, expected(conversations, start, end))
    for filters in (
        {"channel": "rest"},
        {"language": "ru"},
        {"channel": "socketio", "language": "az"},
    ):
        suffix = "".join(f"&{name}={value}" for name, value in filters.items())
        report = staff_client.api("GET", query + suffix).json()
        assert (report["channel"], report["language"]) == (
            filters.get("channel"),
            filters.get("language"),
        )
        want = expected(conversations, start, end, **filters)
        assert want.messages > 0, "the generated store has messages for every filter"
        assert_figures(report, want)
        assert report["messages"] < everything["messages"], "the filter changes the figures"


@SQLITE_ONLY
def test_bad_filters_are_refused_clearly_and_keep_what_was_typed(staff_client):
    bad = staff_client.api("GET", "/analytics?period=range&start=2026-02-30&end=yesterday")
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert "'2026-02-30' is not a date" in errors["start"]
    assert "use YYYY-MM-DD" in errors["end"]
    assert (
        staff_client.api("GET", "/analytics?period=90d")
        .json()["errors"]["period"]
        .startswith("unknown period '90d'")
    )

    page = staff_client.get(
        "/admin/analytics?period=range&start=2026-12-09&end=2026-12-01&language=ru"
    )
    assert page.status_code == 422
    assert "the range ends (2026-12-01) before it starts (2026-12-09)" in page.text
    assert 'id="f-start" name="start" type="date" value="2026-12-09"' in page.text
    assert re.search(r'id="f-end"[^>]*aria-invalid="true"', page.text)
    assert '<option value="ru" selected>' in page.text
    assert 'href="#f-end"' in page.text, "the error summary links to the field"
    csv_reply = staff_client.get("/admin/analytics.csv?period=range&start=&end=2026-12-01")
    assert csv_reply.status_code == 422 and "give the first day" in csv_reply.text


def test_page_and_csv_show_the_same_numbers_as_the_api(staff_client, tracker, engine):  # noqa: F811
    now = dt.datetime.now(dt.timezone.utc)
    inbox = Inbox(engine, clock=lambda: now)
    closed = inbox.record_handoff("student-x", "rest", [], at=now - dt.timedelta(minutes=60))
    inbox.close_handoff(closed, "staff.one")
    inbox.record_handoff("student-y", "socketio", [], at=now - dt.timedelta(minutes=5))
    entry = FaqRepository(engine).create(FaqDraft("Is there a gym?", "Yes.", owner="t"), "t")
    feedback = FeedbackRepository(inbox)
    given = [("up", "exchange", None), ("up", "exchange", None), ("down", "exchange", None)]
    given += [("down", "office", entry.id), ("up", "exchange", None, "socketio")]
    for number, (value, topic, faq, *channel) in enumerate(given):
        feedback.record(
            value,
            f"student-{number}",
            record_key=f"fb-{number}",
            question="Erasmus?",
            faq_entries=[faq] if faq else [],
            topic=topic,
            channel=channel[0] if channel else "rest",
            language="en",
        )

    report = staff_client.api("GET", "/analytics?period=30d&channel=rest").json()
    assert report["handoffs"]["opened"] == 1 and report["handoffs"]["closed"] == 1
    assert report["handoffs"]["median_minutes_to_close"] == 60.0
    by_topic = {f["key"]: (f["up"], f["down"]) for f in report["feedback_by_topic"]}
    assert by_topic == {"exchange": (2, 1), "office": (0, 1)}, "the channel filter applies"
    by_entry = [(f["key"], f["label"], f["down"]) for f in report["feedback_by_faq_entry"]]
    assert by_entry == [(str(entry.id), "Is there a gym?", 1)]

    page = staff_client.get("/admin/analytics?period=30d&channel=rest")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    text = page.text
    assert f"<dd>{report['conversations']:,}</dd>" in text
    assert f"<dd>{report['answer_rate'] * 100:.1f}%</dd>" in text
    assert text.count('<svg class="chart"') == 6 and "style=" not in text
    assert text.count("<caption") == 9 and 'scope="row"' in text
    assert "<td>60 min</td>" in text, "median time to close"
    assert f'<a href="/admin/entries/{entry.id}">Is there a gym?</a>' in text
    assert "<td>66.7%</td>" in text, "2 of 3 found the exchange answers helpful"
    assert 'href="/admin/analytics.csv?period=30d&amp;channel=rest"' in text

    reply = staff_client.get("/admin/analytics.csv?period=30d&channel=rest")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="beu-analytics-' in reply.headers["Content-Disposition"]
    assert reply.content.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel"
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert set(rows[0]) == {"section", "label", "measure", "value"}
    cells = {(r["section"], r["label"], r["measure"]): r["value"] for r in rows}
    assert cells[("filter", "channel", "")] == "rest"
    assert int(cells[("headline", "conversations", "")]) == report["conversations"]
    assert float(cells[("headline", "answer_rate", "")]) == report["answer_rate"]
    for outcome, count in report["outcomes"].items():
        assert int(cells[("outcomes", outcome, "questions")]) == count
    for topic in report["top_topics"]:
        assert int(cells[("topics", topic["topic"], "questions")]) == topic["questions"]
    days = Counter(
        {
            r["label"]: int(r["value"])
            for r in rows
            if r["section"] == "unanswered" and r["measure"] == "unanswered"
        }
    )
    assert days == Counter({d["day"]: d["unanswered"] for d in report["unanswered_per_day"]})
    assert cells[("handoffs", "Median time to close", "value")] == "60 min"
    assert cells[("feedback-topics", "exchange", "down")] == "1"
    assert cells[("feedback-faq", "Is there a gym?", "up_rate")] == "0.0"


def test_no_conversations_yet(client):
    """No tracker store configured and nothing aggregated: zeros, "No data", no answer rate."""
    report = client.api("GET", "/analytics").json()
    assert (report["conversations"], report["answer_rate"], report["note"]) == (0, None, None)
    page = client.get("/admin/analytics?period=7d")
    assert page.status_code == 200
    assert "<dd>–</dd>" in page.text and page.text.count(">No data</text>") == 6
    assert "Nothing in this period." in page.text


@SQLITE_ONLY  # about the tracker store
def test_a_tracker_store_that_cannot_be_read_leaves_the_aggregate_shown_with_a_note(
    make_live,
    staff,
    engine,
    tracker,  # noqa: F811
):
    unreachable = make_live(
        tracker_url="postgresql://nobody@127.0.0.1:1/none", analytics_refresh_seconds=0
    )
    elsewhere = make_live(tracker_url=tracker["url"], analytics_refresh_seconds=0)
    refresh(engine, tracker["url"])
    counted = build_report(engine, baku_today() - dt.timedelta(days=6), baku_today()).messages
    assert counted > 0
    for live, note in ((unreachable, STALE_NOTE), (elsewhere, "cannot be brought up to date")):
        if live is elsewhere:  # the aggregate now belongs to another store
            with engine.begin() as connection:
                connection.execute(
                    update(t.settings)
                    .where(t.settings.c.key == t.ANALYTICS_SOURCE_KEY)
                    .values(value="sqlite:////somewhere/else.sqlite3")
                )
        client = Client(live.url)
        try:
            assert client.login().status_code == 200
            report = client.api("GET", "/analytics?period=7d")
            assert report.status_code == 200
            assert note in report.json()["note"]
            assert report.json()["messages"] == counted, "what the aggregate holds is shown"
            page = client.get("/admin/analytics?period=7d")
            assert page.status_code == 200 and 'class="warning" role="status"' in page.text
        finally:
            client.close()
