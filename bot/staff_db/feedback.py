"""Students' 👍/👎 on answers, and the answers they marked wrong in the staff inbox.

A 👎 is stored twice in one transaction: as feedback (for the figures per topic and FAQ entry)
and as an inbox question of kind 'wrong' (so staff see it beside the unanswered ones and fix the
answer). The conversation is kept only as the inbox's salted hash of the sender id. Every write
carries a record key (one per student message), so a retried or replayed write is stored once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, write_transaction
from bot.staff_db.inbox import MAX_LABEL, Inbox, clean_text

VALUES = ("up", "down")
MAX_COMMENT = 1000
MAX_REFS = 50  # fact paths / FAQ entries kept per answer (a long multi-part reply)


@dataclass(frozen=True)
class Feedback:
    id: int
    created_at: dt.datetime
    value: str  # up | down
    comment: str | None
    question: str | None
    answer_ref: Dict[str, Any]  # {"facts": [paths], "faq_entries": [ids]}
    topic: str | None
    intent: str | None
    language: str | None
    channel: str
    conversation_hash: str
    record_key: str


@dataclass(frozen=True)
class Tally:
    """👍 and 👎 for one topic or FAQ entry."""

    up: int = 0
    down: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down


def answer_ref(facts: Sequence[str] = (), faq_entries: Sequence[int] = ()) -> Dict[str, Any]:
    """What an answer rested on, as stored: fact paths and FAQ entry ids, each once, in order."""
    return {
        "facts": [clean_text(p, 200) for p in dict.fromkeys(facts)][:MAX_REFS],
        "faq_entries": [int(e) for e in dict.fromkeys(faq_entries)][:MAX_REFS],
    }


class FeedbackRepository:
    """Feedback rows of one staff database (through the inbox, for its salt and clock)."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.engine = inbox.engine

    def record(
        self,
        value: str,
        sender_id: str,
        *,
        record_key: str,
        question: str | None,
        facts: Sequence[str] = (),
        faq_entries: Sequence[int] = (),
        topic: str | None = None,
        intent: str | None = None,
        language: str | None = None,
        channel: str | None = None,
        comment: str | None = None,
        at: dt.datetime | None = None,
    ) -> int:
        """Store one 👍/👎 and return its id; a 👎 also opens an inbox question of kind 'wrong'.

        Storing the same `record_key` again returns the stored row's id and adds nothing."""
        if value not in VALUES:
            raise ValueError(f"feedback value must be one of {VALUES}, not {value!r}")
        existing = self.id_for_key(record_key)
        if existing is not None:
            return existing
        now = at or self.inbox.clock()
        conversation = self.inbox.hash_sender(sender_id)
        channel = clean_text(channel, MAX_LABEL) or "unknown"
        language = clean_text(language, 8) or None
        text = clean_text(question) or None
        comment = clean_text(comment, MAX_COMMENT) or None
        row = {
            "created_at": now,
            "value": value,
            "comment": comment,
            "question": text,
            "answer_ref": answer_ref(facts, faq_entries),
            "topic": clean_text(topic, 100) or None,
            "intent": clean_text(intent, 100) or None,
            "language": language,
            "channel": channel,
            "conversation_hash": conversation,
            "record_key": record_key,
        }
        try:
            with write_transaction(self.engine) as connection:
                new_id = connection.execute(insert(t.feedback).values(**row)).inserted_primary_key[
                    0
                ]
                if value == "down" and text:
                    connection.execute(
                        insert(t.unanswered).values(
                            text=text,
                            created_at=now,
                            channel=channel,
                            guessed_intent=row["intent"],
                            confidence=None,
                            sender_hash=conversation,
                            status="open",
                            record_key=record_key,
                            language=language,
                            kind="wrong",
                            comment=comment,
                        )
                    )
                return new_id
        except IntegrityError:  # stored meanwhile by another try of the same write
            existing = self.id_for_key(record_key)
            if existing is None:
                raise
            return existing

    def add_comment(self, record_key: str, sender_id: str, comment: str) -> bool:
        """The student's "what was wrong" for their own 👎 (and its inbox question). False when
        there is no such 👎 of theirs; saying the same thing again changes nothing."""
        comment = clean_text(comment, MAX_COMMENT)
        if not comment:
            return False
        table = t.feedback
        with write_transaction(self.engine) as connection:
            row = connection.execute(select(table).where(table.c.record_key == record_key)).first()
            if row is None or row.value != "down":
                return False
            if row.conversation_hash != self.inbox.hash_sender(sender_id):
                return False
            connection.execute(update(table).where(table.c.id == row.id).values(comment=comment))
            connection.execute(
                update(t.unanswered)
                .where(t.unanswered.c.record_key == record_key, t.unanswered.c.kind == "wrong")
                .values(comment=comment)
            )
            return True

    def forget_conversation(self, conversation_hash: str) -> int:
        """Delete every 👍/👎 of one conversation (a deletion request: bot/ops/retention.py);
        its inbox questions, 'wrong' ones included, carry the same hash as `sender_hash`.
        Returns how many were deleted."""
        table = t.feedback
        with write_transaction(self.engine) as connection:
            statement = delete(table).where(table.c.conversation_hash == conversation_hash)
            return connection.execute(statement).rowcount

    def id_for_key(self, record_key: str) -> int | None:
        statement = select(t.feedback.c.id).where(t.feedback.c.record_key == record_key)
        with self.engine.connect() as connection:
            return connection.execute(statement).scalar()

    def list(
        self,
        value: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 1000,
    ) -> List[Feedback]:
        """Feedback newest first, optionally only 👍 or 👎, or since a time."""
        statement = select(t.feedback).order_by(t.feedback.c.id.desc()).limit(limit)
        if value is not None:
            statement = statement.where(t.feedback.c.value == value)
        if since is not None:
            statement = statement.where(t.feedback.c.created_at >= since)
        with self.engine.connect() as connection:
            return [_feedback(row) for row in connection.execute(statement)]

    def counts_per_topic(self, since: dt.datetime | None = None) -> Dict[str | None, Tally]:
        """👍/👎 per answer topic (None: an answer without one)."""
        table = t.feedback
        statement = select(table.c.topic, table.c.value, func.count()).group_by(
            table.c.topic, table.c.value
        )
        if since is not None:
            statement = statement.where(table.c.created_at >= since)
        counts: Dict[str | None, Counter] = {}
        with self.engine.connect() as connection:
            for topic, value, count in connection.execute(statement):
                counts.setdefault(topic, Counter())[value] += count
        return {topic: Tally(c["up"], c["down"]) for topic, c in counts.items()}

    def counts_per_faq_entry(self, since: dt.datetime | None = None) -> Dict[int, Tally]:
        """👍/👎 per FAQ entry whose answer was rated (a multi-part reply counts for each)."""
        counts: Dict[int, Counter] = {}
        for item in self.list(since=since, limit=1_000_000):
            for entry in item.answer_ref.get("faq_entries") or []:
                counts.setdefault(int(entry), Counter())[item.value] += 1
        return {entry: Tally(c["up"], c["down"]) for entry, c in counts.items()}


def _feedback(row: Any) -> Feedback:
    data: Mapping[str, Any] = dict(row._mapping)
    return Feedback(**{**data, "created_at": as_utc(row.created_at)})
