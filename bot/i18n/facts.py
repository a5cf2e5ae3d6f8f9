"""Facts' free text (a project's aims, the scholarship paragraph) in the reply's language.

Translations are knowledge, kept by staff in knowledge/translations/<lang>.yml; each records the
English text it translates, so a translation of a fact whose English has since changed is stale:
it is not shown (bot/kb/translations.py lists it for review), and the English is given with one
line saying so. The provenance of a translated text is still the English fact's source sentence.
"""

from __future__ import annotations

from bot.i18n.context import DEFAULT_LANGUAGE, current_language, note_left_in_english


def fact_text(english: str) -> str:
    """`english` (a fact's free-text field) in the current language, else as it is, noted."""
    language = current_language()
    if language == DEFAULT_LANGUAGE or not english:
        return english
    from bot.kb.translations import current_translations

    translated = current_translations(language).get(english)
    if translated is None:
        note_left_in_english(english)
        return english
    return translated
