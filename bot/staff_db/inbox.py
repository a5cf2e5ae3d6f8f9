"""What the bot could not answer, and conversations handed over to a person.

Senders are stored only as a salted hash: staff can see that several questions came from one
conversation, but the channel's user id (a Messenger PSID, say) never reaches this database.
Texts come from the public, so they are cleaned of control characters and trimmed before storing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError

from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, utcnow, write_transaction
from bot.staff_db.errors import NotFoundError

MAX_TEXT = 1000
MAX_TURNS = 200  # a handoff transcript keeps the last this-many turns
MAX_LABEL = 50
WHO = ("student", "bot")


def clean_text(text: object, limit: int = MAX_TEXT) -> str:
    """Drop NUL and other control characters (newlines and tabs stay), then cut to `limit`."""
    text = "" if text is None else str(text)
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return kept.strip()[:limit]


@dataclass(frozen=True)
class Unanswered:
    id: int
    text: str
    created_at: dt.datetime
    channel: str
    guessed_intent: str | None
    confidence: float | None
    sender_hash: str
    status: str  # open | dismissed | answered
    faq_entry_id: int | None
    handled_by: str | None
    handled_at: dt.datetime | None
    record_key: str | None = None  # the action server outbox's key (a retried write)
    language: str | None = None  # en, az, ru, tr: what the student wrote in
    kind: str = "unanswered"  # or 'wrong': an answer a student marked 👎 (bot/staff_db/feedback.py)
    comment: str | None = None  # their "what was wrong", for kind 'wrong'


@dataclass(frozen=True)
class Handoff:
    id: int
    created_at: dt.datetime
    channel: str
    sender_hash: str
    transcript: List[Dict[str, str]]  # {"who": "student"|"bot", "text": ..., "time": iso}
    status: str  # open | closed
    closed_by: str | None
    closed_at: dt.datetime | None
    record_key: str | None = None


def _unanswered(row: Row) -> Unanswered:
    data = dict(row._mapping)
    data.update(created_at=as_utc(row.created_at), handled_at=as_utc(row.handled_at))
    return Unanswered(**data)


def _handoff(row: Row) -> Handoff:
    data = dict(row._mapping)
    data.update(created_at=as_utc(row.created_at), closed_at=as_utc(row.closed_at))
    return Handoff(**data)


def _turn(turn: Mapping[str, Any], now: dt.datetime) -> Dict[str, str]:
    who = turn.get("who")
    if who not in WHO:
        raise ValueError(f"transcript turn 'who' must be one of {WHO}, not {who!r}")
    time = turn.get("time") or now
    if isinstance(time, dt.datetime):
        time = as_utc(time).isoformat()
    return {"who": who, "text": clean_text(turn.get("text")), "time": clean_text(time, 40)}


class Inbox:
    """The unanswered-question inbox and the handoff queue of one database."""

    def __init__(
        self, engine: Engine, salt: str | None = None, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.engine = engine
        self._salt = salt or os.environ.get("INBOX_SALT") or None
        self.clock = clock

    def salt(self) -> str:
        """INBOX_SALT, else a random salt made once per database and kept in `settings`."""
        if self._salt is None:
            self._salt = self._stored_salt()
        return self._salt

    def _stored_salt(self) -> str:
        statement = select(t.settings.c.value).where(t.settings.c.key == t.INBOX_SALT_KEY)
        with self.engine.connect() as connection:
            value = connection.execute(statement).scalar()
        if value:
            return value
        try:
            with write_transaction(self.engine) as connection:
                new = secrets.token_hex(32)
                connection.execute(insert(t.settings).values(key=t.INBOX_SALT_KEY, value=new))
                return new
        except IntegrityError:  # another process made it first: use theirs
            with self.engine.connect() as connection:
                return connection.execute(statement).scalar_one()

    def hash_sender(self, sender_id: str) -> str:
        """Keyed SHA-256 of the sender id: stable per sender, not reversible without the salt."""
        key = self.salt().encode("utf-8")
        return hmac.new(key, str(sender_id).encode("utf-8"), hashlib.sha256).hexdigest()

    # -- unanswered questions --------------------------------------------------------------

    def record_unanswered(
        self,
        text: str,
        channel: str,
        intent: str | None,
        confidence: float | None,
        sender_id: str,
        *,
        record_key: str | None = None,
        at: dt.datetime | None = None,
        language: str | None = None,
    ) -> int:
        """Store a question the bot could not answer; returns its id.

        With `record_key`, storing the same question again (a retry) returns the stored one's id.
        `at`: when it was asked, if that was earlier than now (a queued write).
        """
        values = {
            "text": clean_text(text),
            "created_at": at or self.clock(),
            "channel": clean_text(channel, MAX_LABEL) or "unknown",
            "guessed_intent": clean_text(intent, 100) or None,
            "confidence": None if confidence is None else float(confidence),
            "sender_hash": self.hash_sender(sender_id),
            "status": "open",
            "record_key": record_key,
            "language": clean_text(language, 8) or None,
        }
        return self._insert_once(t.unanswered, values)

    def _insert_once(self, table: Any, values: Dict[str, Any]) -> int:
        """Insert a row; a row with the same record key already there is returned instead."""
        key = values.get("record_key")
        try:
            with write_transaction(self.engine) as connection:
                return connection.execute(insert(table).values(**values)).inserted_primary_key[0]
        except IntegrityError:
            existing = self.id_for_key(table, key) if key else None
            if existing is None:
                raise
            return existing

    def id_for_key(self, table: Any, record_key: str) -> int | None:
        """The id of the row `record_key` was stored as (None: not stored yet)."""
        statement = select(table.c.id).where(table.c.record_key == record_key)
        with self.engine.connect() as connection:
            return connection.execute(statement).scalar()

    def list_open_unanswered(self, limit: int = 1000) -> List[Unanswered]:
        """Open questions, newest first."""
        return self.list_unanswered("open", limit)

    def list_unanswered(self, status: str | None = None, limit: int = 1000) -> List[Unanswered]:
        statement = select(t.unanswered).order_by(t.unanswered.c.id.desc()).limit(limit)
        if status is not None:
            statement = statement.where(t.unanswered.c.status == status)
        with self.engine.connect() as connection:
            return [_unanswered(row) for row in connection.execute(statement)]

    def dismiss(self, ids: Iterable[int], who: str) -> int:
        """Mark open questions as not worth an answer; returns how many changed."""
        return self._handle(ids, {"status": "dismissed"}, who, ("open",))

    def mark_answered(self, ids: Iterable[int], faq_entry_id: int, who: str | None = None) -> int:
        """Link questions (open or dismissed) to the FAQ entry that now answers them."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(t.faq_entries.c.id).where(t.faq_entries.c.id == faq_entry_id)
            ).first()
        if found is None:
            raise NotFoundError(f"no FAQ entry {faq_entry_id}")
        values = {"status": "answered", "faq_entry_id": faq_entry_id}
        return self._handle(ids, values, who, ("open", "dismissed"))

    def _handle(
        self, ids: Iterable[int], values: Dict[str, Any], who: str | None, from_states: Sequence
    ) -> int:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        table = t.unanswered
        statement = (
            update(table)
            .where(table.c.id.in_(ids), table.c.status.in_(from_states))
            .values(**values, handled_by=who, handled_at=self.clock())
        )
        with write_transaction(self.engine) as connection:
            return connection.execute(statement).rowcount

    # -- handoffs --------------------------------------------------------------------------

    def record_handoff(
        self,
        sender_id: str,
        channel: str,
        transcript: Sequence[Mapping[str, Any]],
        *,
        record_key: str | None = None,
        at: dt.datetime | None = None,
    ) -> int:
        """Store a conversation a person should pick up; returns its id (the stored one's, for a
        `record_key` stored before)."""
        now = at or self.clock()
        turns = [_turn(turn, now) for turn in list(transcript)[-MAX_TURNS:]]
        values = {
            "created_at": now,
            "channel": clean_text(channel, MAX_LABEL) or "unknown",
            "sender_hash": self.hash_sender(sender_id),
            "transcript": turns,
            "status": "open",
            "record_key": record_key,
        }
        return self._insert_once(t.handoffs, values)

    def add_to_handoff(
        self, handoff_id: int, sender_id: str, text: str, at: dt.datetime | None = None
    ) -> bool:
        """Append a student's later message (say, the e-mail address staff should reply to) to
        their own open handoff. False when it is not theirs, not open or not there.

        Adding the message its last turn already is changes nothing (a retried write)."""
        table = t.handoffs
        sender_hash = self.hash_sender(sender_id)
        with write_transaction(self.engine) as connection:
            row = connection.execute(select(table).where(table.c.id == handoff_id)).first()
            if row is None or row.status != "open":
                return False
            if row.sender_hash != sender_hash:
                return False
            turn = _turn({"who": "student", "text": text}, at or self.clock())
            previous = list(row.transcript or [])
            if previous and previous[-1].get("text") == turn["text"]:
                return True
            turns = previous[-(MAX_TURNS - 1) :]
            turns.append(turn)
            connection.execute(
                update(table).where(table.c.id == handoff_id).values(transcript=turns)
            )
            return True

    def list_handoffs(self, status: str | None = "open", limit: int = 1000) -> List[Handoff]:
        """Handoffs with `status` (None: all), newest first."""
        statement = select(t.handoffs).order_by(t.handoffs.c.id.desc()).limit(limit)
        if status is not None:
            statement = statement.where(t.handoffs.c.status == status)
        with self.engine.connect() as connection:
            return [_handoff(row) for row in connection.execute(statement)]

    def close_handoff(self, handoff_id: int, who: str) -> Handoff:
        """Close it (closing a closed one keeps who closed it first)."""
        table = t.handoffs
        with write_transaction(self.engine) as connection:
            connection.execute(
                update(table)
                .where(table.c.id == handoff_id, table.c.status == "open")
                .values(status="closed", closed_by=who, closed_at=self.clock())
            )
            row = connection.execute(select(table).where(table.c.id == handoff_id)).first()
            if row is None:
                raise NotFoundError(f"no handoff {handoff_id}")
            return _handoff(row)
