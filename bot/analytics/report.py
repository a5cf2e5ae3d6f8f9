"""The figures staff see, computed from the aggregate (bot/analytics/aggregate.py) alone.

`build_report(engine, start, end, channel, language)` reads only the staff database: the
per-day tables of the aggregate (bot/analytics/rollup.py), the handoffs and the feedback table.
Days are Asia/Baku days, both ends included. Nothing here sees a sender id: conversations are
the aggregate's salted hashes. Top questions are grouped by normalised text (bot/analytics/
text.py): the inbox's grouping by meaning costs seconds per few hundred questions
(tests/bench_analytics.py measures it), far over the dashboard's second.

Counting rules:
- a *conversation* is counted in the period it started in (its first message's day, channel
  and language);
- a *message* is one student message; a *question part* is one question of a message with an
  answer outcome, chit-chat excluded (a greeting is not a question);
- the *answer rate* is the share of question parts answered from the facts or the FAQ;
- *unanswered* parts are every other outcome (not covered, fallback, out of scope, handoff);
- handoffs opened/closed come from the handoffs table, which has no language: the language
  filter applies to `handoffs.requested` (question parts) only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, case, func, select
from sqlalchemy.engine import Connection, Engine

from bot.staff_db import tables as t

BAKU = ZoneInfo("Asia/Baku")
OUTCOMES = (
    "answered_fact",
    "answered_faq",
    "not_covered",
    "fallback",
    "out_of_scope",
    "handoff",
    "chitchat",
)
ANSWERED = ("answered_fact", "answered_faq")
NOT_QUESTIONS = ("chitchat",)
UNANSWERED = tuple(o for o in OUTCOMES if o not in ANSWERED and o not in NOT_QUESTIONS)
TOP = 20


@dataclass(frozen=True)
class TopicCount:
    topic: str
    questions: int
    answered: int
    unanswered: int


@dataclass(frozen=True)
class QuestionCount:
    """One question as students asked it (texts grouped by their normalised form)."""

    text: str
    count: int
    answered: int
    unanswered: int
    topic: str | None


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    questions: int
    unanswered: int
    by_outcome: Dict[str, int]


@dataclass(frozen=True)
class HourCount:
    hour: int  # 0-23, Asia/Baku
    messages: int


@dataclass(frozen=True)
class FeedbackCount:
    key: str  # a topic, or an FAQ entry id
    up: int
    down: int
    label: str | None = None  # the FAQ entry's question, when known

    @property
    def up_rate(self) -> float | None:
        total = self.up + self.down
        return round(self.up / total, 4) if total else None


@dataclass(frozen=True)
class HandoffStats:
    requested: int  # question parts handed to staff (all filters apply)
    opened: int  # handoff requests created in the period (the channel filter applies)
    closed: int
    still_open: int
    median_minutes_to_close: float | None
    p90_minutes_to_close: float | None


@dataclass(frozen=True)
class Report:
    start: dt.date
    end: dt.date
    channel: str | None
    language: str | None
    conversations: int
    messages: int
    question_parts: int
    answered: int
    answer_rate: float | None  # 0..1 of question parts; None when there were none
    outcomes: Dict[str, int]
    top_topics: List[TopicCount]
    top_questions: List[QuestionCount]
    top_unanswered_questions: List[QuestionCount]
    unanswered_per_day: List[DayCount]
    feedback_by_topic: List[FeedbackCount]
    feedback_by_faq_entry: List[FeedbackCount]
    handoffs: HandoffStats
    busiest_hours: List[HourCount]
    channels: List[str] = field(default_factory=list)  # every channel seen (for filters)
    languages: List[str] = field(default_factory=list)  # every language seen (for filters)
    timezone: str = "Asia/Baku"

    @property
    def answer_rate_percent(self) -> float | None:
        return None if self.answer_rate is None else round(100 * self.answer_rate, 1)

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready: dates as ISO strings, rates as fractions (0..1) and percents."""
        data = asdict(self)
        data["answer_rate_percent"] = self.answer_rate_percent
        for name in ("feedback_by_topic", "feedback_by_faq_entry"):
            for row, item in zip(data[name], getattr(self, name), strict=True):
                row["up_rate"] = item.up_rate
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def baku_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in Baku, as UTC instants."""
    low = dt.datetime.combine(start, dt.time(), BAKU)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), BAKU)
    return low.astimezone(dt.timezone.utc), high.astimezone(dt.timezone.utc)


def baku_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(BAKU).date()


def _filters(
    table: Table, start: dt.date, end: dt.date, channel: str | None, language: str | None
) -> Any:
    where = [table.c.day >= start, table.c.day <= end]
    if channel:
        where.append(table.c.channel == channel)
    if language:
        where.append(table.c.language == language)
    return and_(*where)


def build_report(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    channel: str | None = None,
    language: str | None = None,
) -> Report:
    """Every figure of the dashboard for the Baku days start..end (inclusive), read from the
    per-day tables (bot/analytics/aggregate.py keeps them), never from the parts themselves."""
    if end < start:
        raise ValueError("the period ends before it starts")
    daily = t.analytics_daily
    within = _filters(daily, start, end, channel, language)
    with engine.connect() as connection:
        outcomes, messages = _outcomes(connection, within)
        question_parts = sum(n for o, n in outcomes.items() if o not in NOT_QUESTIONS)
        answered = sum(outcomes[o] for o in ANSWERED)
        feedback = _feedback(connection, start, end, channel, language)
        questions = _filters(t.analytics_questions, start, end, channel, language)
        return Report(
            start=start,
            end=end,
            channel=channel,
            language=language,
            conversations=_conversations(connection, start, end, channel, language),
            messages=messages,
            question_parts=question_parts,
            answered=answered,
            answer_rate=round(answered / question_parts, 4) if question_parts else None,
            outcomes=outcomes,
            top_topics=_topics(connection, within),
            top_questions=_questions(connection, questions, t.analytics_questions.c.asked),
            top_unanswered_questions=_questions(
                connection, questions, t.analytics_questions.c.unanswered
            ),
            unanswered_per_day=_days(connection, within, start, end),
            feedback_by_topic=feedback[0],
            feedback_by_faq_entry=feedback[1],
            handoffs=_handoffs(connection, start, end, channel, outcomes["handoff"]),
            busiest_hours=_hours(
                connection, _filters(t.analytics_hourly, start, end, channel, language)
            ),
            channels=_distinct(connection, daily.c.channel),
            languages=_distinct(connection, daily.c.language),
        )


def _conversations(
    connection: Connection,
    start: dt.date,
    end: dt.date,
    channel: str | None,
    language: str | None,
) -> int:
    """Conversations that started in the period (on this channel, in this language)."""
    table = t.analytics_conversations
    where = [table.c.first_day >= start, table.c.first_day <= end]
    if channel:
        where.append(table.c.channel == channel)
    if language:
        where.append(table.c.language == language)
    return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _outcomes(connection: Connection, condition: Any) -> tuple[Dict[str, int], int]:
    daily = t.analytics_daily
    counts = {outcome: 0 for outcome in OUTCOMES}
    messages = 0
    query = (
        select(daily.c.outcome, func.sum(daily.c.parts), func.sum(daily.c.messages))
        .where(condition)
        .group_by(daily.c.outcome)
    )
    for outcome, parts, first_parts in connection.execute(query):
        messages += int(first_parts or 0)
        if outcome in counts:
            counts[outcome] += int(parts or 0)
    return counts, messages


def _topics(connection: Connection, condition: Any) -> List[TopicCount]:
    daily = t.analytics_daily
    asked = func.sum(daily.c.parts)
    answered = func.sum(case((daily.c.outcome.in_(ANSWERED), daily.c.parts), else_=0))
    unanswered = func.sum(case((daily.c.outcome.in_(UNANSWERED), daily.c.parts), else_=0))
    query = (
        select(daily.c.topic, asked, answered, unanswered)
        .where(condition, daily.c.topic.is_not(None), daily.c.outcome.in_(ANSWERED + UNANSWERED))
        .group_by(daily.c.topic)
        .order_by(asked.desc(), daily.c.topic)
        .limit(TOP)
    )
    return [
        TopicCount(topic, int(n), int(yes or 0), int(no or 0))
        for topic, n, yes, no in connection.execute(query)
    ]


def _questions(connection: Connection, condition: Any, measure: Any) -> List[QuestionCount]:
    """The most asked (or most often unanswered) questions, grouped by normalised text
    (bot/analytics/text.py); then their counts and one way each was written."""
    questions = t.analytics_questions
    total = func.sum(measure)
    top = (
        select(questions.c.question_key, total)
        .group_by(questions.c.question_key)
        .order_by(total.desc(), questions.c.question_key)
        .limit(TOP)
    )
    # Questions asked once in all can't beat one asked twice: rank the repeated ones first, and
    # the whole long tail only when fewer than TOP of them were asked twice in the period.
    found = connection.execute(top.where(condition, measure > 0, questions.c.repeated)).all()
    if len(found) < TOP or found[-1][1] < 2:
        # `repeated IN (true, false)`: two range scans of the index it leads, not the table
        everything = questions.c.repeated.in_([True, False])
        found = connection.execute(top.where(everything, condition, measure > 0)).all()
    keys = [key for key, _total in found]
    if not keys:
        return []
    details = (
        select(
            questions.c.question_key,
            func.max(questions.c.text),
            func.sum(questions.c.asked),
            func.sum(questions.c.answered),
            func.sum(questions.c.unanswered),
            func.max(questions.c.topic),
        )
        .where(condition, questions.c.question_key.in_(keys))
        .group_by(questions.c.question_key)
    )
    found = {row[0]: row[1:] for row in connection.execute(details)}
    return [
        QuestionCount(text, int(n), int(yes or 0), int(no or 0), topic)
        for text, n, yes, no, topic in (found[key] for key in keys)
    ]


def _days(connection: Connection, condition: Any, start: dt.date, end: dt.date) -> List[DayCount]:
    """Every day of the period, days without questions included (a chart needs the gaps)."""
    daily = t.analytics_daily
    query = (
        select(daily.c.day, daily.c.outcome, func.sum(daily.c.parts))
        .where(condition, daily.c.outcome.in_(ANSWERED + UNANSWERED))
        .group_by(daily.c.day, daily.c.outcome)
    )
    per_day: Dict[dt.date, Dict[str, int]] = {}
    for day, outcome, count in connection.execute(query):
        per_day.setdefault(day, {})[outcome] = int(count or 0)
    days = []
    day = start
    while day <= end:
        counts = per_day.get(day, {})
        by_outcome = {outcome: counts.get(outcome, 0) for outcome in UNANSWERED}
        days.append(DayCount(day, sum(counts.values()), sum(by_outcome.values()), by_outcome))
        day += dt.timedelta(days=1)
    return days


def _hours(connection: Connection, condition: Any) -> List[HourCount]:
    hourly = t.analytics_hourly
    query = (
        select(hourly.c.hour, func.sum(hourly.c.messages)).where(condition).group_by(hourly.c.hour)
    )
    counts = {hour: int(n or 0) for hour, n in connection.execute(query)}
    return [HourCount(hour, counts.get(hour, 0)) for hour in range(24)]


def _distinct(connection: Connection, column: Any) -> List[str]:
    query = select(column).where(column.is_not(None)).distinct()
    return sorted(value for (value,) in connection.execute(query))


def _handoffs(
    connection: Connection,
    start: dt.date,
    end: dt.date,
    channel: str | None,
    requested: int,
) -> HandoffStats:
    """Handoff requests created in the period and how soon staff closed them. The handoffs
    table has no language, so the language filter applies to `requested` only."""
    handoffs = t.handoffs
    low, high = baku_bounds(start, end)
    where = [handoffs.c.created_at >= low, handoffs.c.created_at < high]
    if channel:
        where.append(handoffs.c.channel == channel)
    query = select(handoffs.c.created_at, handoffs.c.closed_at, handoffs.c.status).where(*where)
    opened = closed = 0
    minutes: List[float] = []
    for created_at, closed_at, status in connection.execute(query):
        opened += 1
        if status == "closed" and closed_at is not None:
            closed += 1
            minutes.append((_utc(closed_at) - _utc(created_at)).total_seconds() / 60)
    return HandoffStats(
        requested=requested,
        opened=opened,
        closed=closed,
        still_open=opened - closed,
        median_minutes_to_close=_quantile(minutes, 0.5),
        p90_minutes_to_close=_quantile(minutes, 0.9),
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _quantile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank quantile (a median of 2 values is the lower one: an honest 'at most')."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil(n * q)
    return round(ordered[int(rank) - 1], 1)


def _feedback(
    connection: Connection,
    start: dt.date,
    end: dt.date,
    channel: str | None,
    language: str | None,
) -> tuple[List[FeedbackCount], List[FeedbackCount]]:
    """👍/👎 per topic and per FAQ entry from the feedback table (migration 0005)."""
    from bot.analytics.feedback import feedback_counts

    return feedback_counts(connection, *baku_bounds(start, end), channel, language)
