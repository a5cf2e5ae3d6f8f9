"""The reply to a message in a language the assistant doesn't speak (Persian, Arabic, ...).

Never an English-only fallback: one line in the student's own language when a catalogue for it
exists (bot/i18n/locales/<code>/LC_MESSAGES/bot.answers.languages.po), then the same short
sentence in each of the four languages the assistant speaks, in its own words. The languages'
names come from CLDR (Babel) in the language of each line, so they follow SUPPORTED_LANGUAGES.

`speaking()` keeps replies to the four supported languages, so the student's own line is read
from its catalogue directly.
"""

from __future__ import annotations

import logging
from typing import List

from babel import Locale, UnknownLocaleError
from babel.lists import format_list

from bot.answers.base import Answer
from bot.i18n import SUPPORTED_LANGUAGES, _, join, speaking
from bot.i18n.catalogues import catalogue

logger = logging.getLogger(__name__)

# The one line in the student's language; translated only in the unsupported languages' catalogues.
IN_YOUR_LANGUAGE = (
    "Sorry, I can't answer in your language yet. "
    "Please write in one of these languages: {languages}."
)


def language_names(locale: str) -> List[str]:
    """The assistant's languages as `locale` names them ("английский", "Englisch", ...)."""
    names = Locale.parse(locale).languages
    return [names.get(code, code) for code in SUPPORTED_LANGUAGES]


def in_own_language(code: str) -> str | None:
    """The apology in language `code`, or None when there is no catalogue (or line) for it."""
    if not code or code in SUPPORTED_LANGUAGES:
        return None
    translated = catalogue(code).gettext(IN_YOUR_LANGUAGE)
    if not translated or translated == IN_YOUR_LANGUAGE:
        return None
    try:
        return translated.format(languages=format_list(language_names(code), locale=code))
    except (KeyError, IndexError, ValueError, UnknownLocaleError):
        logger.error("the %s apology does not fit its placeholders; left out", code)
        return None


def unsupported_language(code: str) -> Answer:
    """A short, polite reply saying which four languages the assistant speaks."""
    lines = [line] if (line := in_own_language(code)) else []
    for language in SUPPORTED_LANGUAGES:
        with speaking(language):
            languages = join(language_names(language))
            lines.append(
                _(
                    "I can answer in these languages: {languages}. Please write in one of them.",
                    languages=languages,
                )
            )
    return Answer("\n\n".join(lines), [], "language", subject={"language": code})
