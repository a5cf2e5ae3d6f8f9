"""`python -m tests.bench_analytics` (in `make bench`): the analytics at 100,000 conversations.

Generates the conversations into a SQLite tracker store (tests/analytics/generate.py: Rasa's
event shapes, four languages, three channels, every outcome, multi-part questions, 👍/👎
clicks, replies without analytics), spread over 120 days in time order, then times:
- the first aggregation (every event read into the aggregate),
- an incremental aggregation after 1,000 new conversations,
- `build_report` over the last 30 days and over all time (the target: under 1 s each),
and checks the figures against a brute-force count of the generated events. Prints the figures
and writes results/bench_analytics.json. Timings are reported, not asserted (a loaded machine
would make a test flake); the JSON says whether the 1 s target was met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import sqlalchemy as sa

from bot.analytics.aggregate import refresh
from bot.analytics.report import BAKU, Report, build_report
from bot.staff_db.db import make_engine, migrate
from tests.analytics import generate as g

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
DAYS = 120
CHUNK = 5000
TARGET_SECONDS = 1.0
REPEATS = 5


def _add(total: g.Expected | None, part: g.Expected) -> g.Expected:
    """Brute-force figures of disjoint sets of conversations add up (distinct senders too)."""
    if total is None:
        return part
    return g.Expected(
        total.conversations + part.conversations,
        total.messages + part.messages,
        total.outcomes + part.outcomes,
        total.topics + part.topics,
        total.questions + part.questions,
        total.unanswered_days + part.unanswered_days,
        total.hours + part.hours,
    )


def fill(
    tracker: sa.engine.Engine,
    count: int,
    end: dt.datetime,
    days: float,
    prefix: str,
    periods: Dict[str, tuple[dt.date, dt.date]],
) -> tuple[int, Dict[str, g.Expected]]:
    """`count` conversations in time order (chunk after chunk), never all in memory; returns the
    events stored and the brute-force figures of each period."""
    chunks = max(1, -(-count // CHUNK))
    span = dt.timedelta(days=days) / chunks
    stored, expected = 0, {name: None for name in periods}
    for number in range(chunks):
        size = min(CHUNK, count - number * CHUNK)
        chunk_end = end - span * (chunks - number - 1)
        conversations = g.generate(
            size, chunk_end, span.total_seconds() / 86400, seed=number, prefix=f"{prefix}{number}"
        )
        stored += g.store(tracker, conversations)
        for name, (start, stop) in periods.items():
            expected[name] = _add(expected[name], g.brute_force(conversations, start, stop))
    return stored, expected  # type: ignore[return-value]


def matches(report: Report, expected: g.Expected) -> bool:
    outcomes = {o: expected.outcomes.get(o, 0) for o in report.outcomes}
    return (
        report.conversations == expected.conversations
        and report.messages == expected.messages
        and report.outcomes == outcomes
        and {t.topic: t.questions for t in report.top_topics} == dict(expected.topics)
    )


def timed_reports(staff: sa.engine.Engine, start: dt.date, end: dt.date) -> tuple[Report, Dict]:
    seconds: List[float] = []
    report = None
    for _ in range(REPEATS):
        began = time.perf_counter()
        report = build_report(staff, start, end)
        seconds.append(time.perf_counter() - began)
        json.dumps(report.to_dict())
    assert report is not None
    return report, {
        "first_s": round(seconds[0], 3),
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
    }


def grouping_cost(staff: sa.engine.Engine, sizes: tuple[int, ...]) -> Dict[str, float]:
    """Seconds the inbox's meaning-based grouping (bot/faq/grouping.py: e5 embeddings, average
    linkage, O(n^2) memory) takes for the n most asked distinct questions: why top questions
    are grouped by normalised text instead (bot/analytics/text.py)."""
    from bot.faq.grouping import group_similar
    from bot.language.e5 import get_e5_encoder

    encoder = get_e5_encoder()
    group_similar(["warm up"], encoder)
    query = sa.text(
        "SELECT MAX(text) FROM analytics_questions GROUP BY question_key "
        "ORDER BY SUM(asked) DESC LIMIT :n"
    )
    seconds = {}
    for size in sizes:
        with staff.connect() as connection:
            texts = list(connection.execute(query, {"n": size}).scalars())
        began = time.perf_counter()
        group_similar(texts, encoder)
        seconds[str(len(texts))] = round(time.perf_counter() - began, 2)
        print(f"grouping {len(texts)} distinct questions by meaning: {seconds[str(len(texts))]} s")
    return seconds


def run(count: int, new: int, folder: Path, grouping: bool = True) -> Dict[str, Any]:
    staff = make_engine(f"sqlite:///{folder / 'staff.sqlite3'}")
    migrate(staff)
    tracker = sa.create_engine(f"sqlite:///{folder / 'tracker.sqlite3'}")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    first_end = now - dt.timedelta(hours=2)
    today = now.astimezone(BAKU).date()
    periods = {
        "last_30_days": (today - dt.timedelta(days=29), today),
        "all_time": (today - dt.timedelta(days=DAYS + 1), today),
    }

    began = time.perf_counter()
    events, expected = fill(tracker, count, first_end, DAYS, "s", periods)
    generate_s = time.perf_counter() - began
    print(f"generated {count} conversations, {events} events in {generate_s:.1f} s")

    first = refresh(staff, tracker)
    print(f"first aggregation: {first.events_read} events in {first.seconds:.1f} s")

    more_events, more = fill(tracker, new, now - dt.timedelta(minutes=1), 0.05, "n", periods)
    incremental = refresh(staff, tracker)
    print(f"incremental ({new} new conversations): {incremental.seconds:.2f} s")
    for name in periods:
        expected[name] = _add(expected[name], more[name])

    figures: Dict[str, Any] = {
        "conversations": count + new,
        "events": events + more_events,
        "generate_s": round(generate_s, 1),
        "aggregate_first_s": round(first.seconds, 2),
        "aggregate_first_events": first.events_read,
        "aggregate_incremental_s": round(incremental.seconds, 3),
        "aggregate_incremental_conversations": new,
        "target_s": TARGET_SECONDS,
    }
    with staff.connect() as connection:
        figures["aggregate_rows"] = connection.execute(
            sa.text("SELECT COUNT(*) FROM analytics_parts")
        ).scalar_one()
    for name, (start, end) in periods.items():
        report, timing = timed_reports(staff, start, end)
        figures[f"report_{name}"] = {
            **timing,
            "conversations": report.conversations,
            "messages": report.messages,
            "question_parts": report.question_parts,
            "answer_rate_percent": report.answer_rate_percent,
            "equals_brute_force": matches(report, expected[name]),
            "under_target": timing["max_s"] < TARGET_SECONDS,
        }
        print(
            f"build_report {name}: first {timing['first_s']:.3f} s, median "
            f"{timing['median_s']:.3f} s; {report.conversations} conversations, "
            f"{report.messages} messages, answer rate {report.answer_rate_percent}%, "
            f"equals brute force: {figures[f'report_{name}']['equals_brute_force']}"
        )
    start, end = today - dt.timedelta(days=6), today
    seconds = []
    for _ in range(REPEATS):  # the filters most likely to miss the fast path
        began = time.perf_counter()
        build_report(staff, start, end, "messenger", "ru")
        seconds.append(time.perf_counter() - began)
    figures["report_7_days_messenger_ru"] = {
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
    }
    print(f"build_report 7 days, messenger, ru: median {statistics.median(seconds):.3f} s")
    figures["load_average"] = round(os.getloadavg()[0], 2)
    figures["tracker_mb"] = round((folder / "tracker.sqlite3").stat().st_size / 2**20, 1)
    figures["staff_mb"] = round((folder / "staff.sqlite3").stat().st_size / 2**20, 1)
    with staff.connect() as connection:
        figures["distinct_questions"] = connection.execute(
            sa.text("SELECT COUNT(DISTINCT question_key) FROM analytics_questions")
        ).scalar_one()
    if grouping:
        figures["group_by_meaning_s"] = grouping_cost(staff, (200, 1000))
    staff.dispose()
    tracker.dispose()
    return figures


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench_analytics")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000, help="for the incremental run")
    parser.add_argument("--keep", type=Path, help="keep the generated stores in this folder")
    parser.add_argument("--no-grouping", action="store_true", help="skip timing e5 grouping")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = run(args.conversations, args.new, args.keep, not args.no_grouping)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-analytics-") as folder:
            figures = run(args.conversations, args.new, Path(folder), not args.no_grouping)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "bench_analytics.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    checks = [figures[f"report_{p}"]["equals_brute_force"] for p in ("last_30_days", "all_time")]
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
