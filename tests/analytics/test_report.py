"""The report's days and hours are Baku's, handoffs are timed, the JSON is plain, events still
being written are read next time, and `python -m bot analytics` prints the answer rate."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time

import pytest
import sqlalchemy as sa

from bot.__main__ import main as bot_main
from bot.analytics.aggregate import refresh
from bot.analytics.report import build_report
from bot.staff_db import tables as t
from bot.staff_db.db import make_engine, migrate
from tests.analytics import generate as g

UTC = dt.timezone.utc
NOV_29, NOV_30 = dt.date(2026, 11, 29), dt.date(2026, 11, 30)


def answered(sender: str, at: dt.datetime, channel: str = "rest") -> g.Conversation:
    analytics = {
        "parts": [
            {
                "intent": "ask_erasmus",
                "topic": "exchange",
                "outcome": "answered_fact",
                "faq_entry": None,
                "facts": [],
            }
        ],
        "language": "en",
        "feedback_offered": False,
    }
    stamp = at.timestamp()
    return g.Conversation(
        sender,
        [
            g._user("Erasmus?", "ask_erasmus", stamp, channel, "en"),
            g._bot("An answer.", stamp + 0.5, analytics),
        ],
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated staff database file, copied for each test (migrating costs ~0.3 s)."""
    path = tmp_path_factory.mktemp("template") / "staff.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture()
def stores(tmp_path, migrated):
    shutil.copy(migrated, tmp_path / "staff.sqlite3")
    staff = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    tracker = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    yield staff, tracker, tmp_path
    staff.dispose()
    tracker.dispose()


def test_days_and_hours_are_baku_time(stores):
    staff, tracker, _ = stores
    g.store(
        tracker,
        [
            # 23:59:59 in Baku (UTC+4) on the 29th, and midnight of the 30th
            answered("late", dt.datetime(2026, 11, 29, 19, 59, 59, tzinfo=UTC)),
            answered("early", dt.datetime(2026, 11, 29, 20, 0, 0, tzinfo=UTC)),
        ],
    )
    refresh(staff, tracker, salt="s")
    day29, day30 = build_report(staff, NOV_29, NOV_29), build_report(staff, NOV_30, NOV_30)
    assert (day29.messages, day30.messages) == (1, 1)
    assert [h.hour for h in day29.busiest_hours if h.messages] == [23]
    assert [h.hour for h in day30.busiest_hours if h.messages] == [0]
    both = build_report(staff, NOV_29, NOV_30)
    assert [(d.day, d.questions) for d in both.unanswered_per_day] == [(NOV_29, 1), (NOV_30, 1)]
    assert both.answer_rate == 1.0 and both.answer_rate_percent == 100.0
    with pytest.raises(ValueError):
        build_report(staff, NOV_30, NOV_29)


def test_handoffs_and_how_soon_they_were_closed(stores):
    staff, _tracker, _ = stores
    baku_midnight = dt.datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # the 30th begins
    rows = [
        (baku_midnight - dt.timedelta(seconds=1), 10, "rest"),  # the 29th in Baku
        (baku_midnight, 30, "rest"),
        (baku_midnight + dt.timedelta(hours=1), 90, "messenger"),
        (baku_midnight + dt.timedelta(hours=2), None, "rest"),  # still open
    ]
    with staff.begin() as connection:
        for number, (created, minutes, channel) in enumerate(rows):
            closed = created + dt.timedelta(minutes=minutes) if minutes else None
            connection.execute(
                sa.insert(t.handoffs).values(
                    created_at=created,
                    channel=channel,
                    sender_hash=f"h{number}",
                    transcript=[],
                    status="closed" if closed else "open",
                    closed_by="ana" if closed else None,
                    closed_at=closed,
                )
            )
    handoffs = build_report(staff, NOV_30, NOV_30).handoffs
    assert (handoffs.opened, handoffs.closed, handoffs.still_open) == (3, 2, 1)
    assert handoffs.median_minutes_to_close == 30.0 and handoffs.p90_minutes_to_close == 90.0
    assert build_report(staff, NOV_30, NOV_30, channel="messenger").handoffs.opened == 1
    assert build_report(staff, NOV_29, NOV_29).handoffs.median_minutes_to_close == 10.0


def test_the_report_is_json_ready(stores):
    staff, tracker, _ = stores
    g.store(tracker, g.generate(30, dt.datetime(2026, 11, 30, 12, tzinfo=UTC), 5))
    refresh(staff, tracker, salt="s")
    data = build_report(staff, dt.date(2026, 11, 20), NOV_30, language="tr").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["start"] == "2026-11-20" and data["language"] == "tr"
    assert data["timezone"] == "Asia/Baku" and len(data["busiest_hours"]) == 24
    assert len(data["unanswered_per_day"]) == 11
    assert data["answer_rate_percent"] == round(100 * data["answer_rate"], 1)


def test_events_still_being_written_are_read_next_time(stores):
    staff, tracker, _ = stores
    now = time.time()
    g.store(tracker, [answered("old", dt.datetime.fromtimestamp(now - 120, UTC))])
    g.store(tracker, [answered("new", dt.datetime.fromtimestamp(now - 5, UTC))])
    assert refresh(staff, tracker, salt="s", settle_seconds=30, now=now).messages == 1
    assert refresh(staff, tracker, salt="s", settle_seconds=30, now=now + 60).messages == 1


def test_the_cli_updates_the_aggregate_and_prints_the_answer_rate(stores, capsys):
    staff, tracker, folder = stores
    now = dt.datetime.now(UTC)
    conversations = g.generate(50, now - dt.timedelta(minutes=5), 10)
    g.store(tracker, conversations)
    staff_url = f"sqlite:///{folder / 'staff.sqlite3'}"
    tracker_url = f"sqlite:///{folder / 'tracker.sqlite3'}"
    arguments = ["analytics", "--days", "30", "--database-url", staff_url]
    assert bot_main([*arguments, "--tracker-url", tracker_url]) == 0
    printed = capsys.readouterr().out
    rate = re.search(r"^answer rate: ([\d.]+)%$", printed, re.M)
    assert rate, printed
    end = now.astimezone(g.BAKU).date()
    report = build_report(staff, end - dt.timedelta(days=29), end)
    assert float(rate.group(1)) == report.answer_rate_percent
    assert f"messages: {report.messages}" in printed and report.messages > 0

    assert bot_main([*arguments, "--no-refresh", "--language", "xx"]) == 0
    assert "answer rate: n/a" in capsys.readouterr().out
    missing = folder / "missing.sqlite3"
    assert bot_main(["analytics", "--database-url", f"sqlite:///{missing}"]) == 1
    assert "db upgrade" in capsys.readouterr().err and not missing.exists()


def test_thumbs_per_topic_and_faq_entry_from_the_feedback_table(stores):
    from bot.staff_db.feedback import FeedbackRepository
    from bot.staff_db.inbox import Inbox

    staff, _tracker, _ = stores
    repository = FeedbackRepository(Inbox(staff, salt="s"))
    noon = dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # noon in Baku
    given = [
        ("up", "ask_erasmus", "erasmus_ka1", [], "rest", noon),
        ("down", "ask_mevlana", "exchange", [], "rest", noon),
        ("up", "ask_office", "faq", [5], "messenger", noon),
        ("down", "ask_not_covered", "faq", [5], "rest", noon),
        ("down", "ask_erasmus", "exchange", [], "rest", noon - dt.timedelta(days=3)),  # before
    ]
    for number, (value, intent, topic, entries, channel, at) in enumerate(given):
        repository.record(
            value,
            f"student-{number}",
            record_key=f"k{number}",
            question="q",
            faq_entries=entries,
            topic=topic,
            intent=intent,
            channel=channel,
            language="en",
            at=at,
        )
    report = build_report(staff, NOV_30, NOV_30)
    by_topic = {f.key: (f.up, f.down) for f in report.feedback_by_topic}
    assert by_topic == {"exchange": (1, 1), "office": (1, 0), "practical": (0, 1)}
    assert [(f.key, f.up, f.down) for f in report.feedback_by_faq_entry] == [("5", 1, 1)]
    assert report.to_dict()["feedback_by_faq_entry"][0]["up_rate"] == 0.5
    messenger = build_report(staff, NOV_30, NOV_30, channel="messenger")
    assert [(f.key, f.up, f.down) for f in messenger.feedback_by_topic] == [("office", 1, 0)]
