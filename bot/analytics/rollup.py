"""The per-day tables the dashboard reads (analytics_daily, analytics_hourly,
analytics_questions), recomputed from the question parts for every Baku day a refresh or a
deletion touches: idempotent, and small enough that 100,000 conversations report in well under
a second (tests/bench_analytics.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, List

import sqlalchemy as sa
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.analytics.report import ANSWERED, UNANSWERED
from bot.staff_db import tables as t


def _chunks(items: List[Any], size: int) -> Iterator[List[Any]]:
    for begin in range(0, len(items), size):
        yield items[begin : begin + size]


def recount_days(connection: Connection, days: Iterable[dt.date]) -> None:
    """Recompute the per-day tables of these Baku days from their parts (idempotent)."""
    parts = t.analytics_parts
    first_part = func.sum(sa.case((parts.c.part == 0, 1), else_=0))
    questions = sa.and_(
        parts.c.question_key.is_not(None),
        parts.c.question.is_not(None),
        parts.c.outcome.in_(ANSWERED + UNANSWERED),
    )
    for chunk in _chunks(sorted(days), 200):
        where = parts.c.day.in_(chunk)
        for table in (t.analytics_daily, t.analytics_hourly, t.analytics_questions):
            connection.execute(delete(table).where(table.c.day.in_(chunk)))
        by = (parts.c.day, parts.c.channel, parts.c.language)
        daily = select(*by, parts.c.topic, parts.c.outcome, func.count(), first_part)
        daily = daily.where(where).group_by(*by, parts.c.topic, parts.c.outcome)
        columns = ["day", "channel", "language", "topic", "outcome", "parts", "messages"]
        connection.execute(insert(t.analytics_daily).from_select(columns, daily))
        hourly = select(*by, parts.c.hour, func.count()).where(where, parts.c.part == 0)
        hourly = hourly.group_by(*by, parts.c.hour)
        columns = ["day", "channel", "language", "hour", "messages"]
        connection.execute(insert(t.analytics_hourly).from_select(columns, hourly))
        asked = select(
            *by,
            parts.c.question_key,
            func.count(),
            func.sum(sa.case((parts.c.outcome.in_(ANSWERED), 1), else_=0)),
            func.sum(sa.case((parts.c.outcome.in_(UNANSWERED), 1), else_=0)),
            func.max(parts.c.question),
            func.max(parts.c.topic),
            sa.false(),
        )
        asked = asked.where(where, questions).group_by(*by, parts.c.question_key)
        columns = [
            "day",
            "channel",
            "language",
            "question_key",
            "asked",
            "answered",
            "unanswered",
            "text",
            "topic",
            "repeated",
        ]
        connection.execute(insert(t.analytics_questions).from_select(columns, asked))
        _mark_repeated(connection, chunk)


def _mark_repeated(connection: Connection, days: List[dt.date]) -> None:
    """Flag every row of the questions of these days that were asked more than once in all."""
    questions = t.analytics_questions
    of_days = select(questions.c.question_key).where(questions.c.day.in_(days))
    repeated = (
        select(questions.c.question_key)
        .where(questions.c.question_key.in_(of_days))
        .group_by(questions.c.question_key)
        .having(func.sum(questions.c.asked) > 1)
    )
    connection.execute(
        update(questions)
        .where(questions.c.question_key.in_(repeated), questions.c.repeated.is_(sa.false()))
        .values(repeated=True)
    )
