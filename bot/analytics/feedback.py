"""👍/👎 counts from the students' feedback table (migration 0005, built by the feedback work).

Read by reflection so the report works whether or not that table exists yet, and whichever of
the expected columns it has: `value` ("up"/"down"), `created_at`, and optionally `topic`,
`faq_entry` (or `faq_entry_id`), `channel`, `language`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Tuple

from sqlalchemy import MetaData, Table, case, func, select
from sqlalchemy.engine import Connection

from bot.staff_db import tables as t

FEEDBACK_TABLE = "feedback"


def _feedback_table(connection: Connection) -> Table:
    return Table(FEEDBACK_TABLE, MetaData(), autoload_with=connection)


def feedback_counts(
    connection: Connection,
    low: dt.datetime,
    high: dt.datetime,
    channel: str | None,
    language: str | None,
) -> Tuple[List[Any], List[Any]]:
    """(per topic, per FAQ entry) counts of 👍 and 👎 given in [low, high)."""
    from bot.analytics.report import FeedbackCount

    table = _feedback_table(connection)
    columns = table.c
    if "value" not in columns or "created_at" not in columns:
        return [], []
    where = [columns.created_at >= low, columns.created_at < high]
    if channel and "channel" in columns:
        where.append(columns.channel == channel)
    if language and "language" in columns:
        where.append(columns.language == language)
    up = func.sum(case((columns.value == "up", 1), else_=0))
    down = func.sum(case((columns.value == "down", 1), else_=0))

    def counts(key: Any) -> List[Tuple[Any, int, int]]:
        query = select(key, up, down).where(*where, key.is_not(None)).group_by(key)
        rows = [(k, int(u or 0), int(d or 0)) for k, u, d in connection.execute(query)]
        return sorted(rows, key=lambda row: (-(row[1] + row[2]), str(row[0])))

    by_topic = []
    if "topic" in columns:
        by_topic = [FeedbackCount(str(k), u, d) for k, u, d in counts(columns.topic)]
    entry = columns.get("faq_entry_id", columns.get("faq_entry"))
    by_entry = []
    if entry is not None:
        rows = counts(entry)
        labels = _faq_questions(connection, [k for k, _u, _d in rows])
        by_entry = [FeedbackCount(str(k), u, d, labels.get(k)) for k, u, d in rows]
    return by_topic, by_entry


def _faq_questions(connection: Connection, ids: List[Any]) -> Dict[Any, str]:
    numeric = [i for i in ids if isinstance(i, int)]
    if not numeric:
        return {}
    query = select(t.faq_entries.c.id, t.faq_entries.c.question).where(
        t.faq_entries.c.id.in_(numeric)
    )
    return dict(connection.execute(query).all())
