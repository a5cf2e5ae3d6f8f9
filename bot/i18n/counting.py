"""Counts in the reply's language: "more than 10 universities", "более 10 университетов",
"10'dan fazla üniversite", "10-dan çox universitet".

Turkish and Azerbaijani put a case ending on the numeral itself, chosen by the sound of its last
spoken word, which no library formats; the table below is that rule for every numeral.
"""

from __future__ import annotations

from bot.i18n.catalogues import _
from bot.i18n.context import current_language
from bot.i18n.facts import fact_text
from bot.i18n.formatting import number

# Turkish and Azerbaijani put the ablative ending on the numeral ("10'dan fazla", "40-dan çox");
# it follows the vowel (and, in Turkish, the final consonant) of the numeral's last word.
# Keys: the last spoken word's value (units 1-9, tens 10-90, 100, 1000, 10**6, 10**9, 0).
_TURKISH_ABLATIVE = {
    0: "dan", 1: "den", 2: "den", 3: "ten", 4: "ten", 5: "ten", 6: "dan", 7: "den", 8: "den",
    9: "dan", 10: "dan", 20: "den", 30: "dan", 40: "tan", 50: "den", 60: "tan", 70: "ten",
    80: "den", 90: "dan", 100: "den", 1000: "den", 10**6: "dan", 10**9: "dan",
}  # fmt: skip
_AZERBAIJANI_ABLATIVE = {
    0: "dan", 1: "dən", 2: "dən", 3: "dən", 4: "dən", 5: "dən", 6: "dan", 7: "dən", 8: "dən",
    9: "dan", 10: "dan", 20: "dən", 30: "dan", 40: "dan", 50: "dən", 60: "dan", 70: "dən",
    80: "dən", 90: "dan", 100: "dən", 1000: "dən", 10**6: "dan", 10**9: "dan",
}  # fmt: skip


def _last_spoken_word(count: int) -> int:
    """The value of the last word of `count` said aloud: 18 -> 8, 40 -> 40, 300 -> 100."""
    count = abs(count)
    if count == 0:
        return 0
    if count % 10:
        return count % 10
    if count % 100:
        return count % 100
    if count % 1000:
        return 100
    if count % 10**6:
        return 1000
    if count % 10**9:
        return 10**6
    return 10**9


def ablative_numeral(count: int) -> str:
    """`count` formatted for the reply's language, with the ablative ending Turkish ("10'dan")
    and Azerbaijani ("10-dan") need before "more than"; other languages: the number alone."""
    language = current_language()
    formatted = number(count)
    if language == "tr":
        return f"{formatted}'{_TURKISH_ABLATIVE[_last_spoken_word(count)]}"
    if language == "az":
        return f"{formatted}-{_AZERBAIJANI_ABLATIVE[_last_spoken_word(count)]}"
    return formatted


def amount(count: int, qualifier: str | None) -> str:
    """ "18", or "more than 10" ("более 10", "10'dan fazla", "10-dan çox")."""
    if qualifier == "more_than":
        return _("more than {count}", count=ablative_numeral(count))
    return number(count)


def count_phrase(count: int, qualifier: str | None, unit: str) -> str:
    """ "more than 10 universities": the unit is a fact's free text, so it is translated as one
    (knowledge/translations), in the form the language uses after a number."""
    return _("{amount} {unit}", amount=amount(count, qualifier), unit=fact_text(unit))
