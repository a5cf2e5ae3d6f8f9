"""The staff FAQ and inbox as the action server uses them: answer from a published entry, and
record what the assistant could not answer.

One LiveFaqIndex per process polls the store's revision marker at most once a second, so an
entry published in the admin is answerable within a second or two, with no retraining. Failures
of the store (a locked or missing database) are logged and never cost the student an answer.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Dict

from bot.answers.base import Answer
from bot.faq.retrieval import FaqDoc, LiveFaqIndex

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

PREVIEW_PREFIX = "staff-preview-"  # the admin's "what would the bot answer" questions
FAQ_SOURCE = "International office FAQ"


class StaffFaq:
    """Published FAQ entries, searchable, kept current from the database."""

    def __init__(self, engine: Engine) -> None:
        from bot.language.encoder import get_encoder
        from bot.staff_db.faq import FaqRepository

        self.repository = FaqRepository(engine)
        self.entries: Dict[int, object] = {}
        self.index = LiveFaqIndex(self._load, self.repository.revision_marker, get_encoder())

    def _load(self) -> list[FaqDoc]:
        entries = self.repository.published_entries()
        self.entries = {entry.id: entry for entry in entries}
        return [
            FaqDoc(e.id, e.question, list(e.phrasings), e.answer, list(e.tags)) for e in entries
        ]

    def answer_for(self, text: str | None) -> Answer | None:
        """The best published entry's answer, or None when nothing matches well enough."""
        if not text or not text.strip() or text.startswith("/"):
            return None
        match = self.index.best(text)
        entry = self.entries.get(match.entry_id) if match else None
        if entry is None:
            return None
        as_of = f", as of {entry.as_of:%d %B %Y}" if entry.as_of else ""
        return Answer(
            f"{entry.answer.strip()}\n\n_Source: {FAQ_SOURCE}{as_of}._",
            [],
            "faq",
            subject={},
        )


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


def faq_answer(text: str | None) -> Answer | None:
    try:
        return staff_faq().answer_for(text)
    except Exception:
        logger.exception("FAQ lookup failed; answering without it")
        return None


def record_unanswered(
    text: str | None, channel: str | None, intent: str | None, confidence: float | None, sender: str
) -> None:
    """Log a question the assistant could not answer, for the staff inbox (not for previews)."""
    if not text or not text.strip() or text.startswith("/") or sender.startswith(PREVIEW_PREFIX):
        return
    try:
        staff_inbox().record_unanswered(text, channel or "unknown", intent, confidence, sender)
    except Exception:
        logger.exception("could not record an unanswered question")


def warm_up() -> None:
    """Load the encoder and build the index before the action server reports itself ready."""
    staff_faq().index.refresh(force=True)
    staff_faq().index.best("warm up")
