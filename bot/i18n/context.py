"""Which language the reply being built is in, per task (contextvars), and whether any of its
free text had to stay in English."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, List

SUPPORTED_LANGUAGES = ("en", "az", "ru", "tr")
DEFAULT_LANGUAGE = "en"

_language: ContextVar[str] = ContextVar("reply_language", default=DEFAULT_LANGUAGE)
# One list per `speaking` block: appended to when a fact's free text has no translation.
_left_in_english: ContextVar[List[str] | None] = ContextVar("left_in_english", default=None)


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Build a reply in `language` (an unsupported or unknown one: English)."""
    chosen = language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    language_token = _language.set(chosen)
    english_token = _left_in_english.set([])
    try:
        yield chosen
    finally:
        _left_in_english.reset(english_token)
        _language.reset(language_token)


def current_language() -> str:
    return _language.get()


def note_left_in_english(english: str) -> None:
    left = _left_in_english.get()
    if left is not None:
        left.append(english)


def untranslated_note() -> str | None:
    """One short line for a reply some of whose free text is in English, then forgotten (so a
    reply gets it once); None when everything was translated."""
    from bot.i18n.catalogues import _

    left = _left_in_english.get()
    if not left or current_language() == DEFAULT_LANGUAGE:
        return None
    left.clear()
    return _("_(Part of this answer is in English: it has no translation yet.)_")
