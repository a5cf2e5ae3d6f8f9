"""A Report (bot/analytics/report.py, as `to_dict()` gives it) as the dashboard shows it.

Each part of the page is a `Table`: the rows the staff member reads, the chart drawn from the
same rows, and the CSV rows written from them, so the three can never disagree. The CSV is one
file in long form, `section,label,measure,value`, which any spreadsheet pivots back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from bot.web.admin import charts
from bot.web.admin.analytics_query import BAKU, AnalyticsQuery

OUTCOMES = {  # short enough for a chart's label column
    "answered_fact": "From the facts",
    "answered_faq": "From an FAQ entry",
    "not_covered": "Honestly not covered",
    "fallback": "Not understood",
    "out_of_scope": "Out of scope",
    "handoff": "Handed to a person",
    "chitchat": "Chit-chat",
}
CSV_COLUMNS = ("section", "label", "measure", "value")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Measure:
    key: str
    header: str
    percent: bool = False


@dataclass
class Row:
    label: str
    values: dict[str, Any]
    link: str | None = None
    key: str | None = None  # the report's own name for the row (an outcome), for the CSV


@dataclass
class Table:
    """One section of the dashboard: its rows, and the chart that pictures them."""

    id: str
    title: str
    caption: str
    label_header: str
    measures: list[Measure]
    rows: list[Row]
    chart: Markup | None = None
    note: str = ""
    action: tuple[str, str] | None = None  # (href, text): where staff go to fix what it shows

    def cell(self, row: Row, measure: Measure) -> str:
        value = row.values.get(measure.key)
        if value is None:
            return "–"
        if measure.percent:
            return f"{value * 100:.1f}%"
        return f"{value:,}" if isinstance(value, int) else str(value)


@dataclass
class Dashboard:
    query: AnalyticsQuery
    report: dict[str, Any]
    headline: list[tuple[str, str, str]]  # (report key, label, as shown)
    tables: list[Table] = field(default_factory=list)
    note: str = ""  # said above the figures (the aggregate could not be brought up to date)
    # When the report was built (Baku time): a report kept from moments ago says so.
    as_of: str = field(default_factory=lambda: dt.datetime.now(BAKU).strftime("%Y-%m-%d %H:%M"))

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)


def _percent(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _minutes(minutes: Any) -> str | None:
    if minutes is None:
        return None
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def _bars(title: str, rows: Sequence[Row], keys: Sequence[tuple[str, str]]) -> Markup:
    series = [charts.Series(name, [float(r.values.get(k) or 0) for r in rows]) for k, name in keys]
    return charts.horizontal_bars(title, [r.label for r in rows], series)


ANSWERED_KEYS = [("answered", "Answered"), ("unanswered", "Not answered")]


def outcome_table(report: dict[str, Any]) -> Table:
    outcomes, parts = report["outcomes"], report["question_parts"]
    rows = []
    for key, label in OUTCOMES.items():
        count = outcomes.get(key, 0)
        share = None if key == "chitchat" else _percent(count, parts)
        rows.append(Row(label, {"questions": count, "share": share}, key=key))
    title = "What happened to each question"
    return Table(
        "outcomes",
        title,
        "Question parts by outcome (share of questions; chit-chat is not a question)",
        "Outcome",
        [Measure("questions", "Question parts"), Measure("share", "Share", percent=True)],
        rows,
        _bars(title, rows, [("questions", "Question parts")]),
    )


def topic_table(report: dict[str, Any]) -> Table:
    rows = [
        Row(
            item["topic"],
            {
                "questions": item["questions"],
                "answered": item["answered"],
                "unanswered": item["unanswered"],
                "answer_rate": _percent(item["answered"], item["questions"]),
            },
        )
        for item in report["top_topics"]
    ]
    title = "Top topics"
    return Table(
        "topics",
        title,
        "Question parts per topic, most asked first",
        "Topic",
        [
            Measure("questions", "Questions"),
            Measure("answered", "Answered"),
            Measure("unanswered", "Not answered"),
            Measure("answer_rate", "Answer rate", percent=True),
        ],
        rows,
        _bars(title, rows, ANSWERED_KEYS),
    )


def question_table(
    report: dict[str, Any],
    key: str,
    table_id: str,
    title: str,
    caption: str,
    action: tuple[str, str] | None = None,
) -> Table:
    rows = [
        Row(
            item["text"],
            {
                "count": item["count"],
                "answered": item["answered"],
                "unanswered": item["unanswered"],
                "topic": item.get("topic"),
            },
        )
        for item in report[key]
    ]
    return Table(
        table_id,
        title,
        caption,
        "Question",
        [
            Measure("count", "Times asked"),
            Measure("answered", "Answered"),
            Measure("unanswered", "Not answered"),
            Measure("topic", "Topic"),
        ],
        rows,
        action=action,
    )


MAX_DAY_ROWS = 92  # a longer period is shown per week (a column per day would be a hair)


def _per_week(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Days summed in runs of seven from the first day (the last week may be shorter)."""
    weeks = []
    for begin in range(0, len(days), 7):
        run = days[begin : begin + 7]
        weeks.append(
            {
                "day": run[0]["day"],
                "questions": sum(d["questions"] for d in run),
                "unanswered": sum(d["unanswered"] for d in run),
            }
        )
    return weeks


def unanswered_table(report: dict[str, Any]) -> Table:
    days = report["unanswered_per_day"]
    weekly = len(days) > MAX_DAY_ROWS
    items = _per_week(days) if weekly else days
    rows = [
        Row(item["day"], {"questions": item["questions"], "unanswered": item["unanswered"]})
        for item in items
    ]
    unit = "week" if weekly else "day"
    title = f"Unanswered questions per {unit}"
    labels = [r.label[5:] for r in rows]  # MM-DD: the table has the whole date
    return Table(
        "unanswered",
        title,
        "Question parts not answered, per week (7 Baku days from the date shown)"
        if weekly
        else "Question parts not answered, per Baku day",
        "Week from" if weekly else "Day",
        [Measure("questions", "Questions"), Measure("unanswered", "Not answered")],
        rows,
        charts.columns(title, labels, [r.values["unanswered"] for r in rows]),
    )


FEEDBACK_KEYS = [("up", "👍 helpful"), ("down", "👎 not helpful")]
FEEDBACK_MEASURES = [
    Measure("up", "👍 helpful"),
    Measure("down", "👎 not helpful"),
    Measure("up_rate", "Helpful", percent=True),
]


def _feedback_rows(items: Iterable[dict[str, Any]], link: str | None) -> list[Row]:
    return [
        Row(
            item.get("label") or item["key"],
            {"up": item["up"], "down": item["down"], "up_rate": item.get("up_rate")},
            link.format(key=item["key"]) if link and str(item["key"]).isdigit() else None,
        )
        for item in items
    ]


def feedback_tables(report: dict[str, Any]) -> list[Table]:
    per_topic = _feedback_rows(report["feedback_by_topic"], None)
    per_entry = _feedback_rows(report["feedback_by_faq_entry"], "/admin/entries/{key}")
    return [
        Table(
            "feedback-topics",
            "Feedback per topic",
            "Students' 👍 and 👎 on answers, per topic",
            "Topic",
            FEEDBACK_MEASURES,
            per_topic,
            _bars("Feedback per topic", per_topic, FEEDBACK_KEYS),
        ),
        Table(
            "feedback-faq",
            "Feedback per FAQ entry",
            "Students' 👍 and 👎 on FAQ answers, per entry (the link opens the entry)",
            "FAQ entry",
            FEEDBACK_MEASURES,
            per_entry,
            _bars("Feedback per FAQ entry", per_entry, FEEDBACK_KEYS),
        ),
    ]


def handoff_table(report: dict[str, Any]) -> Table:
    handoffs = report["handoffs"]
    rows = [
        Row("Questions handed to a person", {"value": handoffs["requested"]}),
        Row("Requests opened in the period", {"value": handoffs["opened"]}),
        Row("Closed by staff", {"value": handoffs["closed"]}),
        Row("Still open", {"value": handoffs["still_open"]}),
        Row("Median time to close", {"value": _minutes(handoffs["median_minutes_to_close"])}),
        Row("90% closed within", {"value": _minutes(handoffs["p90_minutes_to_close"])}),
    ]
    return Table(
        "handoffs",
        "Handoffs",
        "Students who asked for a person, and how soon staff closed the request",
        "Figure",
        [Measure("value", "Value")],
        rows,
        note="Requests have no language: the language filter applies to the first line only.",
    )


def hours_table(report: dict[str, Any]) -> Table:
    rows = [
        Row(f"{item['hour']:02d}:00", {"messages": item["messages"]})
        for item in report["busiest_hours"]
    ]
    title = "Busiest hours (Baku time)"
    return Table(
        "hours",
        title,
        "Student messages per hour of the day, Baku time, over the whole period",
        "Hour",
        [Measure("messages", "Messages")],
        rows,
        charts.columns(title, [r.label[:2] for r in rows], [r.values["messages"] for r in rows], 3),
    )


def dashboard(report: dict[str, Any], query: AnalyticsQuery) -> Dashboard:
    """Everything the page shows, from the report's JSON form (the API's body)."""
    rate = report.get("answer_rate")
    headline = [
        ("conversations", "Conversations", f"{report['conversations']:,}"),
        ("messages", "Messages", f"{report['messages']:,}"),
        ("question_parts", "Questions", f"{report['question_parts']:,}"),
        ("answer_rate", "Answer rate", "–" if rate is None else f"{rate * 100:.1f}%"),
    ]
    tables = [
        outcome_table(report),
        topic_table(report),
        question_table(
            report,
            "top_unanswered_questions",
            "unanswered-questions",
            "What students ask that it cannot answer",
            "The unanswered questions asked most often (same wording grouped)",
            action=("/admin/inbox", "Answer them from the inbox (it opens the FAQ editor)"),
        ),
        question_table(
            report,
            "top_questions",
            "questions",
            "Top questions",
            "The questions asked most often (same wording grouped)",
        ),
        unanswered_table(report),
        *feedback_tables(report),
        handoff_table(report),
        hours_table(report),
    ]
    return Dashboard(query, report, headline, tables)


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (students write the question texts)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(view: Dashboard) -> str:
    """Every table of the dashboard as `section,label,measure,value` rows (headline first).

    Starts with a byte-order mark: without it Excel reads UTF-8 as a legacy code page and
    the students' Azerbaijani and Russian questions come out garbled."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for name, value in view.query.params().items():
        writer.writerow(["filter", name, "", value])
    for key, _label, _shown in view.headline:
        value = view.report.get(key)
        writer.writerow(["headline", key, "", "" if value is None else value])
    for table in view.tables:
        for row in table.rows:
            for measure in table.measures:
                value = row.values.get(measure.key)
                cell = "" if value is None else value
                writer.writerow([table.id, _csv_safe(row.key or row.label), measure.key, cell])
    return out.getvalue()
