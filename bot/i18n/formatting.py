"""Lists, numbers and country names the way the reply's language writes them (Babel, CLDR)."""

from __future__ import annotations

from functools import cache
from typing import Sequence

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal

from bot.i18n.context import DEFAULT_LANGUAGE, current_language

# English as the university writes it (British: "a, b and c", no serial comma).
LOCALES = {"en": "en_GB"}


def _locale() -> str:
    return LOCALES.get(current_language(), current_language())


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or "или", "və", "ve" ...; "or" lists with conjunction="or")."""
    items = list(items)
    if not items:
        return ""
    return format_list(
        items, style="or" if conjunction == "or" else "standard", locale=_locale()
    )


def number(value: int | float) -> str:
    return format_decimal(value, locale=_locale())


@cache
def _territories(language: str) -> dict:
    return Locale.parse(language).territories


def country_name(code: str, english: str) -> str:
    """A country in the reply's language, with its canonical English name in brackets where the
    local name differs ("Польша (Poland)"), so the student can match it against the page."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return english
    local = _territories(language).get(code.upper())
    if not local or local == english:
        return english
    return f"{local} ({english})"
