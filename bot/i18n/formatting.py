"""Lists, numbers and country names the way the reply's language writes them (Babel, CLDR)."""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from bot.i18n.context import DEFAULT_LANGUAGE, current_language

# The assistant's English is British ("programmes"): CLDR's en_GB writes "a, b and c" and
# "30 June 2027", as the English replies always have (plain "en" adds the Oxford comma).
BABEL_LOCALES = {"en": "en_GB"}


def _locale() -> str:
    language = current_language()
    return BABEL_LOCALES.get(language, language)


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or "или", "və", "ve" ...; "or" lists with conjunction="or")."""
    items = list(items)
    if not items:
        return ""
    return format_list(items, style="or" if conjunction == "or" else "standard", locale=_locale())


def number(value: int | float) -> str:
    return format_decimal(value, locale=_locale())


def long_date(value: dt.date) -> str:
    """'30 June 2027', '30 июня 2027 г.', '30 Haziran 2027'."""
    return format_date(value, format="long", locale=_locale())


def country_name(code: str, english: str) -> str:
    """A country in the reply's language, with its canonical English name in brackets where the
    local name differs ("Польша (Poland)"), so the student can match it against the page. The
    local name is the CLDR one the NLU also recognises (bot/kb/local_names.py: written once)."""
    from bot.kb.local_names import country_name as local_country_name  # keeps bot.i18n light

    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return english
    local = local_country_name(code, language)
    if not local or local == english:
        return english
    return f"{local} ({english})"
