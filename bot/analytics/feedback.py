"""👍/👎 per topic and per FAQ entry, from the students' feedback table (migration 0005).

Feedback is a small fraction of the answers, so its rows for the period are tallied here rather
than in SQL: an answer's FAQ entries are a JSON list (`answer_ref`), and its topic is grouped
into the same areas as the questions (bot/analytics/outcome.py `topic_of`), so "👎 on
exchange" and "questions about exchange" line up on the dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Dict, List, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.analytics.outcome import topic_of
from bot.staff_db import tables as t


def feedback_counts(
    connection: Connection,
    low: dt.datetime,
    high: dt.datetime,
    channel: str | None,
    language: str | None,
) -> Tuple[List[Any], List[Any]]:
    """(per topic, per FAQ entry) counts of 👍 and 👎 given in [low, high), most rated first."""
    from bot.analytics.report import FeedbackCount

    feedback = t.feedback
    where = [feedback.c.created_at >= low, feedback.c.created_at < high]
    if channel:
        where.append(feedback.c.channel == channel)
    if language:
        where.append(feedback.c.language == language)
    query = select(
        feedback.c.value, feedback.c.intent, feedback.c.topic, feedback.c.answer_ref
    ).where(*where)
    topics: Dict[str, Counter] = {}
    entries: Dict[int, Counter] = {}
    for value, intent, topic, ref in connection.execute(query):
        area = topic_of(intent, topic)
        if area is not None:
            topics.setdefault(area, Counter())[value] += 1
        for entry in (ref or {}).get("faq_entries") or []:
            entries.setdefault(int(entry), Counter())[value] += 1
    labels = _faq_questions(connection, list(entries))

    def ordered(tallies: Dict[Any, Counter]) -> List[Tuple[Any, Counter]]:
        return sorted(tallies.items(), key=lambda item: (-sum(item[1].values()), str(item[0])))

    by_topic = [FeedbackCount(key, c["up"], c["down"]) for key, c in ordered(topics)]
    by_entry = [
        FeedbackCount(str(key), c["up"], c["down"], labels.get(key)) for key, c in ordered(entries)
    ]
    return by_topic, by_entry


def _faq_questions(connection: Connection, ids: List[int]) -> Dict[int, str]:
    if not ids:
        return {}
    entries = t.faq_entries
    query = select(entries.c.id, entries.c.question).where(entries.c.id.in_(ids))
    return dict(connection.execute(query).all())
