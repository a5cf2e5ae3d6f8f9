"""The reply to a message in a language the assistant doesn't speak (Persian, Arabic, ...).

Never an English-only fallback: one line in the student's own language when a catalogue for it
exists (bot/i18n/locales/<code>/LC_MESSAGES/bot.answers.languages.po), then the same short
sentence in each of the four languages the assistant speaks, in its own words.

`speaking()` keeps replies to the four supported languages, so the student's own line is read
from its catalogue directly.
"""

from __future__ import annotations

from bot.answers.base import Answer
from bot.i18n import SUPPORTED_LANGUAGES, _, speaking
from bot.i18n.catalogues import catalogue

# The one line in the student's language; translated only in the unsupported languages' catalogues.
IN_YOUR_LANGUAGE = (
    "Sorry, I can't answer in your language yet. "
    "Please write in English, Azerbaijani, Russian or Turkish."
)


def in_own_language(code: str) -> str | None:
    """The apology in language `code`, or None when there is no catalogue (or line) for it."""
    if not code or code in SUPPORTED_LANGUAGES:
        return None
    translated = catalogue(code).gettext(IN_YOUR_LANGUAGE)
    return translated if translated and translated != IN_YOUR_LANGUAGE else None


def unsupported_language(code: str) -> Answer:
    """A short, polite reply saying which four languages the assistant speaks."""
    lines = [line] if (line := in_own_language(code)) else []
    for language in SUPPORTED_LANGUAGES:
        with speaking(language):
            lines.append(
                _(
                    "I can answer in English, Azerbaijani, Russian and Turkish: "
                    "please write in one of them."
                )
            )
    return Answer("\n\n".join(lines), [], "language", subject={"language": code})
