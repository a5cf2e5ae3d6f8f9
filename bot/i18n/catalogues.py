"""Sentence frames in the reply's language: gettext catalogues compiled by the build.

The sources are `bot/i18n/locales/<lang>/LC_MESSAGES/<domain>.po`, one domain per source module
(`bot.answers.exchange`) plus `domain` for domain.yml's responses, so translators and developers
working on different modules never edit the same file. `python -m bot kb` compiles them into
build/locale/ (bot/offline/locales.py); a language's domains are merged into one catalogue here.
"""

from __future__ import annotations

import gettext
import logging
from functools import cache
from typing import Any

from bot.i18n.context import DEFAULT_LANGUAGE, current_language
from bot.paths import BUILD, ROOT

logger = logging.getLogger(__name__)

LOCALE_SOURCES = ROOT / "bot" / "i18n" / "locales"
COMPILED = BUILD / "locale"


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """Every compiled domain of `language`, merged (English and unknown languages: identity)."""
    merged: gettext.NullTranslations = gettext.NullTranslations()
    folder = COMPILED / language / "LC_MESSAGES"
    if language == DEFAULT_LANGUAGE or not folder.is_dir():
        return merged
    for path in sorted(folder.glob("*.mo")):
        with path.open("rb") as handle:
            domain = gettext.GNUTranslations(handle)
        if isinstance(merged, gettext.GNUTranslations):
            merged._catalog.update(domain._catalog)  # one lookup table: domains never disagree
        else:
            merged = domain
    return merged


def _format(template: str, fallback: str, values: dict[str, Any]) -> str:
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        # A broken translation (tests/i18n catches these) costs the language, not the answer.
        logger.error("translation %r does not fit its placeholders; English used", template)
        return fallback.format(**values)


def _(message: str, **values: Any) -> str:
    """`message` in the current language, its {placeholders} filled from `values`."""
    language = current_language()
    translated = message if language == DEFAULT_LANGUAGE else catalogue(language).gettext(message)
    return _format(translated, message, values)


def n_(singular: str, plural: str, count: int, **values: Any) -> str:
    """The plural form for `count` in the current language (Russian has three)."""
    language = current_language()
    english = singular if count == 1 else plural
    if language == DEFAULT_LANGUAGE:
        return _format(english, english, values)
    translated = catalogue(language).ngettext(singular, plural, count)
    return _format(translated, english, values)
