"""The dashboard's tables from a Report's own `to_dict()` (bot/analytics/report.py): feedback
rows (which the generated tracker store cannot hold: they come from the feedback table), the
FAQ links, and a CSV a spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from bot.analytics.report import (
    OUTCOMES,
    DayCount,
    FeedbackCount,
    HandoffStats,
    HourCount,
    QuestionCount,
    Report,
)
from bot.web.admin.analytics_cache import ReportCache
from bot.web.admin.analytics_query import parse_query
from bot.web.admin.analytics_view import csv_text, dashboard

DAY = dt.date(2026, 12, 1)


def report() -> Report:
    return Report(
        start=DAY,
        end=DAY,
        channel=None,
        language=None,
        conversations=3,
        messages=4,
        question_parts=4,
        answered=1,
        answer_rate=0.25,
        outcomes={**dict.fromkeys(OUTCOMES, 0), "answered_faq": 1, "not_covered": 3},
        top_topics=[],
        top_questions=[],
        top_unanswered_questions=[QuestionCount("=HYPERLINK(1)", 3, 0, 3, None)],
        unanswered_per_day=[DayCount(DAY, 4, 3, {"not_covered": 3})],
        feedback_by_topic=[FeedbackCount("exchange", 3, 1)],
        feedback_by_faq_entry=[FeedbackCount("12", 0, 2, "Is there a shuttle?")],
        handoffs=HandoffStats(0, 0, 0, 0, None, None),
        busiest_hours=[HourCount(hour, 1 if hour == 9 else 0) for hour in range(24)],
    )


def test_feedback_rows_link_to_their_faq_entry_and_show_the_helpful_share():
    view = dashboard(report().to_dict(), parse_query({"start": "2026-12-01", "end": "2026-12-01"}))
    topics = view.table("feedback-topics")
    (row,) = topics.rows
    assert (row.label, row.values["up"], row.values["down"], row.link) == ("exchange", 3, 1, None)
    assert [topics.cell(row, m) for m in topics.measures] == ["3", "1", "75.0%"]
    (entry,) = view.table("feedback-faq").rows
    assert (entry.label, entry.link) == ("Is there a shuttle?", "/admin/entries/12")
    assert view.table("unanswered-questions").action[0] == "/admin/inbox"
    handoffs = view.table("handoffs")
    assert handoffs.cell(handoffs.rows[4], handoffs.measures[0]) == "–", "no time to close yet"


def test_csv_cells_never_start_a_formula():
    view = dashboard(report().to_dict(), parse_query({"period": "7d"}))
    rows = list(csv.DictReader(io.StringIO(csv_text(view).removeprefix("\ufeff"))))
    labels = {r["label"] for r in rows if r["section"] == "unanswered-questions"}
    assert labels == {"'=HYPERLINK(1)"}
    assert {
        r["value"]
        for r in rows
        if (r["section"], r["label"]) == ("feedback-faq", "Is there a shuttle?")
    } == {"0", "2", "0.0"}


def test_a_long_period_is_shown_per_week_with_nothing_lost():
    first = dt.date(2026, 1, 1)
    days = [DayCount(first + dt.timedelta(days=i), 2, i % 3, {}) for i in range(100)]
    long = dataclasses.replace(report(), start=first, end=days[-1].day, unanswered_per_day=days)
    query = parse_query({"start": first.isoformat(), "end": days[-1].day.isoformat()})
    table = dashboard(long.to_dict(), query).table("unanswered")
    assert table.title == "Unanswered questions per week" and len(table.rows) == 15
    assert table.rows[1].label == "2026-01-08" and table.rows[-1].values["questions"] == 2 * 2
    assert sum(r.values["unanswered"] for r in table.rows) == sum(d.unanswered for d in days)
    short = dashboard(report().to_dict(), query).table("unanswered")
    assert short.title == "Unanswered questions per day" and len(short.rows) == 1


def test_a_report_is_reused_only_while_fresh_and_for_the_same_key():
    built = []

    def build(name: str):
        return lambda: built.append(name) or {"name": name}

    cache = ReportCache(ttl_seconds=60, size=2)
    first, at = cache.get(("30d", 7), build("a"))
    assert cache.get(("30d", 7), build("b")) == (first, at), "the same filters and watermark"
    assert cache.get(("30d", 8), build("c"))[0] == {"name": "c"}, "new conversations were read"
    cache.get(("7d", 8), build("d"))
    assert cache.get(("30d", 7), build("e"))[0] == {"name": "e"}, "the oldest left (size 2)"
    stale = ReportCache(ttl_seconds=0)
    stale.get("k", build("f"))
    assert stale.get("k", build("g"))[0] == {"name": "g"}, "too old"
    assert built == ["a", "c", "d", "e", "f", "g"]
