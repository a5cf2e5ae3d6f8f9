"""`python -m bot analytics [--days N] [--refresh/--no-refresh]`: the dashboard's headline figures
for operators and cron.

Brings the aggregate up to date from the tracker store first (unless --no-refresh), then prints
the last N Baku days (today included), ending with the exact line `answer rate: X%` (or
`answer rate: n/a` when no question was asked). The staff database is DATABASE_URL (else
var/staff.sqlite3); the tracker store is --tracker-url, else what retention uses
(bot/ops/retention.py `tracker_db_url`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import List

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.analytics.report import Report, baku_today, build_report

DEFAULT_DAYS = 30


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot analytics",
        description="Update the analytics aggregate and print the headline figures.",
    )
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="the last N Baku days")
    parser.add_argument(
        "--refresh",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read new conversations from the tracker store first (default: yes)",
    )
    parser.add_argument("--channel", help="only this channel (rest, socketio, messenger...)")
    parser.add_argument("--language", help="only this language (en, az, ru, tr)")
    parser.add_argument("--database-url", help="staff database (default: DATABASE_URL)")
    parser.add_argument("--tracker-url", help="tracker store (default: TRACKER_DB_URL, ...)")
    return parser


def headline(report: Report) -> List[str]:
    """The figures as lines of text; the last one is `answer rate: X%`."""
    lines = [
        f"period: {report.start.isoformat()} to {report.end.isoformat()} (Asia/Baku)"
        + (f", channel {report.channel}" if report.channel else "")
        + (f", language {report.language}" if report.language else ""),
        f"conversations: {report.conversations}",
        f"messages: {report.messages}",
        f"questions: {report.question_parts}",
    ]
    for outcome, count in report.outcomes.items():
        lines.append(f"  {outcome.replace('_', ' ')}: {count}")
    if report.top_topics:
        topics = ", ".join(f"{t.topic} ({t.questions})" for t in report.top_topics[:5])
        lines.append(f"top topics: {topics}")
    for question in report.top_unanswered_questions[:5]:
        lines.append(f"  unanswered x{question.unanswered}: {question.text}")
    handoffs = report.handoffs
    lines.append(f"handoffs: {handoffs.opened} opened, {handoffs.still_open} still open")
    rate = report.answer_rate_percent
    lines.append(f"answer rate: {'n/a' if rate is None else f'{rate:g}%'}")
    return lines


def main(argv: List[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.days < 1:
        print("error: --days must be at least 1", file=sys.stderr)
        return 2
    from bot.analytics.aggregate import SourceChanged, missing_sqlite_file, refresh
    from bot.ops.retention import tracker_db_url
    from bot.staff_db import db

    staff_url = args.database_url or db.database_url()
    if missing_sqlite_file(staff_url):
        print(
            f"error: no staff database at {staff_url}: run `python -m bot db upgrade`",
            file=sys.stderr,
        )
        return 1
    engine = db.make_engine(staff_url)
    try:
        if not db.is_up_to_date(engine):
            message = "the staff database schema is not up to date: run `python -m bot db upgrade`"
            print(f"error: {message}", file=sys.stderr)
            return 1
        if args.refresh:
            tracker = args.tracker_url or tracker_db_url()
            if missing_sqlite_file(tracker):
                print(f"no tracker store at {make_url(tracker).database}: nothing new to read")
            else:
                result = refresh(engine, tracker)
                print(
                    f"read {result.events_read} new event(s), {result.messages} message(s) "
                    f"in {result.seconds:.2f} s"
                )
        end = baku_today()
        start = end - dt.timedelta(days=args.days - 1)
        report = build_report(engine, start, end, args.channel, args.language)
        print("\n".join(headline(report)))
        return 0
    except SourceChanged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"error: database: {error.__class__.__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
