"""The assistant's languages: which one a reply is in, its sentence frames (gettext catalogues,
one .po per source module and language under bot/i18n/locales/), locale formatting (Babel), and
facts' free text in translation (knowledge/translations/).

Code writes English and marks it: `_("Yes, **{country}** is one of them.", country=name)`. The
language is per reply, set by `speaking(language)` around it (a context variable, so concurrent
conversations in one process don't mix).
"""

from bot.i18n.catalogues import _, n_
from bot.i18n.context import (
    SUPPORTED_LANGUAGES,
    current_language,
    speaking,
    untranslated_note,
)
from bot.i18n.facts import fact_text
from bot.i18n.formatting import country_name, join, number

__all__ = [
    "SUPPORTED_LANGUAGES",
    "_",
    "country_name",
    "current_language",
    "fact_text",
    "join",
    "n_",
    "number",
    "speaking",
    "untranslated_note",
]
