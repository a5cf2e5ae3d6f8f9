"""The chat widget's own strings (title, placeholder, accessible names, the language switch), in
every language the assistant speaks.

They are sentence frames like the answers' (bot/i18n/locales/<lang>/LC_MESSAGES/
bot.web.widget_text.po). The demo page embeds all four in its widget config; a site that embeds
the widget elsewhere gets one language as JSON from /widget/text/<lang>.json (bot/web/app.py).
bot/web/static/widget.js shows them in the page's language (`<html lang>`, or `lang` in the
embed config), then in the language the conversation's replies come back in.
"""

from __future__ import annotations

from functools import cache
from typing import Dict

from babel import Locale

from bot.i18n import SUPPORTED_LANGUAGES, _, speaking
from bot.privacy.notice import notice_link_text, notice_sentence


def _autonym(language: str) -> str:
    """A language's name in itself ("Русский", "Türkçe", "Azərbaycan"), from CLDR."""
    name = Locale.parse(language).get_language_name(language) or language
    return name[:1].upper() + name[1:]


@cache
def widget_text(language: str) -> Dict[str, object]:
    """The widget's strings in `language` (English for one the assistant doesn't speak)."""
    with speaking(language) as spoken:
        return {
            "language": spoken,
            "title": _("BEU International Office"),
            "subtitle": _("Assistant for international students"),
            "placeholder": _("Type your question…"),
            "openChat": _("Open the chat with the BEU assistant"),
            "closeChat": _("Close the chat"),
            "send": _("Send message"),
            "fullScreen": _("Toggle full screen"),
            "question": _("Your question"),
            "conversation": _("Conversation"),
            "languageSwitch": _("Language of the assistant"),
            # The privacy notice, shown once per conversation (widget.js).
            "privacyTitle": _("Privacy notice"),
            "privacyNotice": notice_sentence(),
            "privacyLink": notice_link_text(),
            "privacyHide": _("OK"),
            "privacyHideLabel": _("Hide the privacy notice"),
            # Each language's button is named in that language (read with its own `lang`).
            "languages": [
                {"code": code, "label": code.upper(), "name": _autonym(code)}
                for code in SUPPORTED_LANGUAGES
            ],
        }


def all_widget_text() -> Dict[str, Dict[str, object]]:
    return {language: widget_text(language) for language in SUPPORTED_LANGUAGES}
