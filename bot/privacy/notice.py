"""Where the privacy page is, and the short notice every channel shows once per conversation.

The page is served by the web app (`/privacy`, bot/web/privacy.py). Messenger and the assistant's
replies need its absolute address: PRIVACY_URL (the public address of the web app's page, e.g.
https://assistant.example.edu/privacy), else the web app on this machine.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode, urlsplit, urlunsplit

from bot.i18n import SUPPORTED_LANGUAGES, _

DEFAULT_PRIVACY_URL = "http://localhost:8000/privacy"


def privacy_url(language: str | None = None) -> str:
    """The privacy page's absolute address, in `language` when given (`?lang=ru`)."""
    base = os.environ.get("PRIVACY_URL", "").strip() or DEFAULT_PRIVACY_URL
    if language not in SUPPORTED_LANGUAGES:
        return base
    parts = urlsplit(base)
    query = "&".join(p for p in (parts.query, urlencode({"lang": language})) if p)
    return urlunsplit(parts._replace(query=query))


def notice_sentence() -> str:
    """The notice itself, in the current language (`speaking`)."""
    return _(
        "Staff of the international office may read this conversation to improve the assistant."
    )


def notice_link_text() -> str:
    return _("How we handle conversations, and how to have yours deleted")


def privacy_notice(url: str) -> str:
    """The notice as markdown, with the privacy page's link (Messenger shows it as text)."""
    return f"{notice_sentence()} [{notice_link_text()}]({url})"
