"""Read the tracker store's events, incrementally, into the analytics aggregate (migration 0006).

Rasa's SQL tracker store keeps one `events` row per event (id, sender_id, type_name, timestamp,
data JSON). Rasa has no endpoint that lists conversations, and scanning every event for each
dashboard view would not stay under a second at 100,000 conversations, so `refresh` reads only
the events after a watermark (the last event id read, kept in `settings`) and stores:

- one row per question part of each student message (Baku day and hour, channel, language,
  intent, topic, outcome, FAQ entry, the question's text), from the `analytics` metadata the
  answer actions put on their reply (actions/reply.py). A student message whose reply carries
  none (a domain response, an apology) is one row without an outcome: a message, not a question;
- one row per conversation (first and last message, message count).

Conversations are keyed by the inbox's salted hash (bot/staff_db/inbox.py), never the sender id.
Rows are keyed by the event id of the student's message, so a re-read never counts twice, and the
watermark moves in the same transaction as the rows. Retention (bot/ops/retention.py) refreshes
first and deletes only what was read, so deleted conversations keep their counts;
`forget_conversation` removes a conversation's question texts (deletion by reference).

PostgreSQL hands out event ids before commit, so a transaction can commit a lower id after a
higher one is visible. `settle_seconds` (default 30 on PostgreSQL, 0 on SQLite, whose writers
commit in id order) stops the read before the first event younger than that, so a slow commit
is read next time rather than skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import sqlalchemy as sa
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.analytics.report import BAKU
from bot.analytics.rollup import recount_days
from bot.analytics.text import question_key
from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, write_transaction
from bot.staff_db.inbox import Inbox

BATCH_EVENTS = 20_000
POSTGRES_SETTLE_SECONDS = 30.0
MAX_QUESTION = 1000
NOT_MESSAGES = {"feedback"}  # a 👍/👎 click is not something the student asked
UNKNOWN_CHANNEL = "unknown"

_tracker_metadata = sa.MetaData()
# The columns of Rasa's SQLTrackerStore.SQLEvent this module reads.
EVENTS = sa.Table(
    "events",
    _tracker_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("data", sa.Text),
)


class SourceChanged(RuntimeError):
    """The aggregate was read from another tracker store: its watermark means nothing here."""


def missing_sqlite_file(url: str) -> bool:
    """A SQLite URL whose file doesn't exist (nothing to read; don't create it)."""
    parsed = sa.engine.make_url(url)
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    return database not in (None, "", ":memory:") and not Path(database).exists()


def source_name(tracker: Engine) -> str:
    """The tracker store the aggregate reads, as recorded next to the watermark."""
    url = tracker.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return f"sqlite:///{Path(url.database).resolve()}"
    return url.set(password=None).render_as_string(hide_password=True)


@dataclass
class RefreshResult:
    events_read: int = 0
    messages: int = 0
    question_parts: int = 0
    watermark: int = 0
    seconds: float = 0.0


@dataclass
class _Message:
    """A student message read in this batch, and the rows it will become."""

    event_id: int
    key: str  # sender, Rasa's message id and time: unique even where event ids are reused
    conversation: str
    at: dt.datetime
    channel: str
    language: str | None
    intent: str | None
    text: str
    part_texts: List[str]
    rows: List[Dict[str, Any]] = field(default_factory=list)


def watermark(staff: Engine) -> int:
    """The id of the last tracker event the aggregate has read (0 before the first refresh)."""
    with staff.connect() as connection:
        return _watermark(connection)


def _watermark(connection: Connection, lock: bool = False) -> int:
    query = select(t.settings.c.value).where(t.settings.c.key == t.ANALYTICS_WATERMARK_KEY)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    value = connection.execute(query).scalar()
    return int(value) if value else 0


def _tracker_engine(tracker: Any) -> tuple[Engine, bool]:
    if isinstance(tracker, Engine):
        return tracker, False
    if hasattr(tracker, "engine"):
        return tracker.engine, False
    return sa.create_engine(str(tracker)), True


def refresh(
    staff: Engine,
    tracker: Any,
    *,
    settle_seconds: float | None = None,
    batch_events: int = BATCH_EVENTS,
    now: float | None = None,
    salt: str | None = None,
) -> RefreshResult:
    """Read every tracker event after the watermark into the aggregate; safe to run
    concurrently and repeatedly. `tracker`: a URL, an engine or a Rasa SQL tracker store."""
    began = time.perf_counter()
    engine, owned = _tracker_engine(tracker)
    result = RefreshResult()
    try:
        if not sa.inspect(engine).has_table("events"):
            result.watermark = watermark(staff)
            return result
        _ensure_watermark_row(staff, source_name(engine))
        hasher = _Hasher(Inbox(staff, salt=salt))
        if settle_seconds is None:
            sqlite = engine.dialect.name == "sqlite"
            settle_seconds = 0.0 if sqlite else POSTGRES_SETTLE_SECONDS
        follow_deletions(staff, engine)
        while True:
            start = watermark(staff)
            limit = _read_limit(engine, start, settle_seconds, now)
            if limit <= start:
                result.watermark = start
                break
            events = _read_events(engine, start, limit, batch_events)
            last = events[-1]["id"] if events else limit
            messages, replies = _turns(events, hasher)
            if _store(staff, engine, start, last, messages, replies, hasher):
                result.events_read += len(events)
                result.messages += len(messages)
                result.question_parts += sum(
                    1 for m in messages for row in m.rows if row["outcome"] is not None
                )
            result.watermark = watermark(staff)
            if not events or last >= limit:
                break
    finally:
        if owned:
            engine.dispose()
    result.seconds = time.perf_counter() - began
    return result


def follow_deletions(staff: Engine, tracker: Any) -> int | None:
    """After the newest events were deleted (a deletion by reference, retention), SQLite gives
    the next events those ids again: bring the watermark down to the newest id left, so they are
    read. (What was read stays counted: rows are keyed by message, not by event id.) Returns the
    new watermark when it moved."""
    engine, owned = _tracker_engine(tracker)
    try:
        if not sa.inspect(engine).has_table("events"):
            return None
        with staff.connect() as connection:
            if _recorded_source(connection) != source_name(engine):
                return None  # another store's watermark: not ours to move
        with engine.connect() as connection:
            newest = int(connection.execute(select(func.max(EVENTS.c.id))).scalar() or 0)
    finally:
        if owned:
            engine.dispose()
    if watermark(staff) <= newest:  # the usual case: nothing deleted at the end
        return None
    with write_transaction(staff) as connection:
        if _watermark(connection, lock=True) <= newest:
            return None
        connection.execute(
            update(t.settings)
            .where(t.settings.c.key == t.ANALYTICS_WATERMARK_KEY)
            .values(value=str(newest))
        )
    return newest


def _ensure_watermark_row(staff: Engine, source: str) -> None:
    """The watermark and the tracker store it belongs to, made on the first refresh; a refresh
    from another tracker store is refused (its event ids would be read against this one's)."""
    with staff.connect() as connection:
        recorded = _recorded_source(connection)
    if recorded is None:
        try:
            with write_transaction(staff) as connection:
                if _recorded_source(connection) is None:
                    connection.execute(
                        insert(t.settings),
                        [
                            {"key": t.ANALYTICS_WATERMARK_KEY, "value": "0"},
                            {"key": t.ANALYTICS_SOURCE_KEY, "value": source},
                        ],
                    )
        except IntegrityError:
            pass  # another refresh made them at the same moment
        with staff.connect() as connection:
            recorded = _recorded_source(connection)
    if recorded != source:
        raise SourceChanged(
            f"the analytics aggregate was read from {recorded}, not {source}: "
            "point TRACKER_DB_URL at that store"
        )


def _recorded_source(connection: Connection) -> str | None:
    query = select(t.settings.c.value).where(t.settings.c.key == t.ANALYTICS_SOURCE_KEY)
    return connection.execute(query).scalar()


def _read_limit(engine: Engine, start: int, settle_seconds: float, now: float | None) -> int:
    """The last event id safe to read: before the first event younger than settle_seconds."""
    with engine.connect() as connection:
        if settle_seconds > 0:
            cutoff = (time.time() if now is None else now) - settle_seconds
            young = connection.execute(
                select(func.min(EVENTS.c.id)).where(
                    EVENTS.c.id > start, EVENTS.c.timestamp >= cutoff
                )
            ).scalar()
            if young is not None:
                return int(young) - 1
        return int(connection.execute(select(func.max(EVENTS.c.id))).scalar() or 0)


def _read_events(engine: Engine, start: int, limit: int, batch: int) -> List[Dict[str, Any]]:
    query = (
        select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.data)
        .where(
            EVENTS.c.id > start,
            EVENTS.c.id <= limit,
            EVENTS.c.type_name.in_(("user", "bot")),
        )
        .order_by(EVENTS.c.id)
        .limit(batch)
    )
    with engine.connect() as connection:
        return [
            {"id": row.id, "sender_id": row.sender_id, "type": row.type_name, "data": row.data}
            for row in connection.execute(query)
        ]


class _Hasher:
    """The inbox's salted sender hash, computed once per sender per refresh."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox
        self._known: Dict[str, str] = {}

    def __call__(self, sender_id: str) -> str:
        known = self._known.get(sender_id)
        if known is None:
            known = self._known[sender_id] = self._inbox.hash_sender(sender_id)
        return known


def _turns(
    events: Iterable[Mapping[str, Any]], hasher: _Hasher
) -> tuple[List[_Message], List[tuple[str, int, Mapping[str, Any]]]]:
    """Student messages of the batch, with their parts filled from the replies that follow them
    in the batch; and the replies whose message came in an earlier batch (sender, bot event id,
    analytics)."""
    messages: List[_Message] = []
    latest: Dict[str, _Message | None] = {}  # None: a 👍/👎 click, whose replies don't count
    answered: set[int] = set()
    orphans: List[tuple[str, int, Mapping[str, Any]]] = []
    for event in events:
        if event["type"] == "bot" and '"analytics"' not in event["data"]:
            continue  # most bot events of other sources: not worth parsing
        data = json.loads(event["data"])
        sender = event["sender_id"]
        if event["type"] == "user":
            message = _message(event["id"], sender, data, hasher)
            latest[sender] = message
            if message is None:
                continue
            messages.append(message)
            continue
        analytics = (data.get("metadata") or {}).get("analytics")
        if not isinstance(analytics, Mapping):
            continue
        if sender not in latest:  # its message was read in an earlier batch
            orphans.append((sender, event["id"], analytics))
            continue
        message = latest[sender]
        if message is None:
            continue
        if message.event_id not in answered:  # one reply's parts per message, counted once
            answered.add(message.event_id)
            message.rows = _part_rows(message, analytics)
    for message in messages:
        if not message.rows:
            message.rows = [_row(message, 0, message.text, message.intent, None, None, None)]
    return messages, orphans


def _message(
    event_id: int, sender: str, data: Mapping[str, Any], hasher: _Hasher
) -> _Message | None:
    parse = data.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    if intent in NOT_MESSAGES:
        return None
    at = dt.datetime.fromtimestamp(float(data.get("timestamp") or 0), tz=dt.timezone.utc)
    detected = parse.get("language")
    language = detected.get("code") if isinstance(detected, Mapping) else None
    parts = [p for p in parse.get("question_parts") or [] if isinstance(p, Mapping)]
    stamp = repr(float(data.get("timestamp") or 0))
    identity = "\x00".join((sender, str(data.get("message_id") or ""), stamp))
    return _Message(
        event_id=event_id,
        key=hashlib.sha256(identity.encode("utf-8")).hexdigest(),
        conversation=hasher(sender),
        at=at,
        channel=str(data.get("input_channel") or UNKNOWN_CHANNEL)[:50],
        language=str(language)[:8] if language else None,
        intent=intent,
        text=str(data.get("text") or ""),
        part_texts=[str(p.get("text") or "") for p in parts],
    )


def _part_rows(message: _Message, analytics: Mapping[str, Any]) -> List[Dict[str, Any]]:
    language = analytics.get("language")
    if isinstance(language, str) and language:
        message.language = language[:8]
    parts = [p for p in analytics.get("parts") or [] if isinstance(p, Mapping)]
    if not parts:
        return []
    rows = []
    for index, part in enumerate(parts):
        text = message.part_texts[index] if index < len(message.part_texts) else None
        if text is None:
            text = message.text if len(parts) == 1 else None
        outcome = part.get("outcome")
        rows.append(
            _row(
                message,
                index,
                text,
                part.get("intent") or message.intent,
                part.get("topic"),
                str(outcome)[:20] if outcome else None,
                part.get("faq_entry"),
            )
        )
    return rows


def _row(
    message: _Message,
    index: int,
    text: str | None,
    intent: Any,
    topic: Any,
    outcome: str | None,
    faq_entry: Any,
) -> Dict[str, Any]:
    local = message.at.astimezone(BAKU)
    question = text[:MAX_QUESTION] if text and not text.startswith("/") else None
    return {
        "message_key": message.key,
        "message_event": message.event_id,
        "part": index,
        "conversation": message.conversation,
        "at": message.at,
        "day": local.date(),
        "hour": local.hour,
        "channel": message.channel,
        "language": message.language,
        "intent": str(intent)[:100] if intent else None,
        "topic": str(topic)[:50] if topic else None,
        "outcome": outcome,
        "faq_entry": faq_entry if isinstance(faq_entry, int) else None,
        "question": question,
        "question_key": question_key(question),
    }


def _store(
    staff: Engine,
    tracker: Engine,
    start: int,
    last: int,
    messages: List[_Message],
    orphans: List[tuple[str, int, Mapping[str, Any]]],
    hasher: _Hasher,
) -> bool:
    """Write one batch and move the watermark from `start` to `last`, all or nothing. False
    when another refresh moved the watermark first (its rows are the same: nothing to do)."""
    late = [_late_message(tracker, sender, bot_id, hasher) for sender, bot_id, _ in orphans]
    parts = t.analytics_parts
    with write_transaction(staff) as connection:
        if _watermark(connection, lock=True) != start:
            return False
        rows = [row for message in messages for row in message.rows]
        days = {row["day"] for row in rows}
        conversations = {m.conversation for m in messages}
        # a message read again (a watermark set back by hand) is replaced, never doubled
        for keys in _chunks([m.key for m in messages], 500):
            connection.execute(delete(parts).where(parts.c.message_key.in_(keys)))
        for chunk in _chunks(rows, 2000):
            connection.execute(insert(parts), chunk)
        for message, (_sender, _bot_id, analytics) in zip(late, orphans, strict=True):
            if message is not None and _replace_placeholder(connection, message, analytics):
                conversations.add(message.conversation)
                days.add(message.at.astimezone(BAKU).date())
        _update_conversations(connection, conversations)
        recount_days(connection, days)
        connection.execute(
            update(t.settings)
            .where(t.settings.c.key == t.ANALYTICS_WATERMARK_KEY)
            .values(value=str(last))
        )
    return True


def _late_message(tracker: Engine, sender: str, bot_id: int, hasher: _Hasher) -> _Message | None:
    """The student message a reply answers, when it was read in an earlier batch."""
    query = (
        select(EVENTS.c.id, EVENTS.c.data)
        .where(EVENTS.c.sender_id == sender, EVENTS.c.type_name == "user", EVENTS.c.id < bot_id)
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    )
    with tracker.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else _message(row.id, sender, json.loads(row.data), hasher)


def _replace_placeholder(
    connection: Connection, message: _Message, analytics: Mapping[str, Any]
) -> bool:
    """A reply read after its message: its parts replace the message's outcome-less row, unless
    the message already has parts (then this is a second message of the same reply)."""
    parts = t.analytics_parts
    existing = connection.execute(
        select(parts.c.outcome).where(parts.c.message_key == message.key)
    ).all()
    if any(outcome is not None for (outcome,) in existing):
        return False
    rows = _part_rows(message, analytics)
    if not rows:
        return False
    connection.execute(delete(parts).where(parts.c.message_key == message.key))
    connection.execute(insert(parts), rows)
    return True


def _update_conversations(connection: Connection, conversations: Iterable[str]) -> None:
    """Recount the touched conversations from their messages: idempotent, however often it
    runs. A conversation is counted where it started: its first message's day, channel and
    language."""
    parts, table = t.analytics_parts, t.analytics_conversations
    for chunk in _chunks(sorted(conversations), 500):
        query = (
            select(parts.c.conversation, parts.c.at, parts.c.channel, parts.c.language)
            .where(parts.c.conversation.in_(chunk), parts.c.part == 0)
            .order_by(parts.c.conversation, parts.c.at, parts.c.message_event)
        )
        found: Dict[str, Dict[str, Any]] = {}
        for conversation, at, channel, language in connection.execute(query):
            row = found.get(conversation)
            if row is None:
                at = as_utc(at)
                found[conversation] = {
                    "conversation": conversation,
                    "first_day": at.astimezone(BAKU).date(),
                    "channel": channel,
                    "language": language,
                    "first_at": at,
                    "last_at": at,
                    "messages": 1,
                }
            else:
                row["last_at"] = as_utc(at)
                row["messages"] += 1
        connection.execute(delete(table).where(table.c.conversation.in_(chunk)))
        if found:
            connection.execute(insert(table), list(found.values()))


def _chunks(items: List[Any], size: int) -> Iterator[List[Any]]:
    for begin in range(0, len(items), size):
        yield items[begin : begin + size]


def refresh_before_retention(tracker: Any, staff_url: str | None = None) -> int | None:
    """Bring the aggregate up to date before retention deletes conversations; returns the
    watermark to delete up to, or None when there is no staff database with the aggregate
    (nothing to keep counts in). A staff database that fails raises: better to delete tomorrow
    than to lose the counts."""
    staff = _aggregate_engine(staff_url)
    if staff is None:
        return None
    try:
        return refresh(staff, tracker).watermark
    finally:
        staff.dispose()


def after_deleting(tracker: Any, staff_url: str | None = None) -> int | None:
    """`follow_deletions` for the deleting commands (retention, deletion by reference): the
    staff database of DATABASE_URL, when it holds the aggregate."""
    staff = _aggregate_engine(staff_url)
    if staff is None:
        return None
    try:
        return follow_deletions(staff, tracker)
    finally:
        staff.dispose()


def _aggregate_engine(staff_url: str | None) -> Engine | None:
    """The staff database (DATABASE_URL by default) if it exists and holds the aggregate."""
    from bot.staff_db.db import database_url, is_up_to_date, make_engine

    url = staff_url or database_url()
    if missing_sqlite_file(url):
        return None
    staff = make_engine(url)
    if not sa.inspect(staff).has_table(t.analytics_parts.name) or not is_up_to_date(staff):
        staff.dispose()
        return None
    return staff


def forget_conversation(staff: Engine, conversation: str) -> int:
    """Deletion by reference: the conversation's question texts go; its counts stay (they hold
    no text). Returns how many question parts lost their text."""
    parts = t.analytics_parts
    with write_transaction(staff) as connection:
        days = connection.execute(
            select(parts.c.day).where(parts.c.conversation == conversation).distinct()
        ).scalars()
        days = list(days)
        result = connection.execute(
            update(parts)
            .where(parts.c.conversation == conversation, parts.c.question.is_not(None))
            .values(question=None, question_key=None)
        )
        recount_days(connection, days)  # its texts leave the top questions too
        return result.rowcount or 0


def forget_sender(staff: Engine, sender_id: str, salt: str | None = None) -> int:
    """`forget_conversation` for a sender id (hashed here, as everywhere)."""
    return forget_conversation(staff, Inbox(staff, salt=salt).hash_sender(sender_id))
