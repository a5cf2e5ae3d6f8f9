"""The public privacy page (`/privacy`): what the assistant keeps, for how long, who reads it,
and how to have a conversation deleted, in the student's language (`?lang=`, else the browser's
Accept-Language, else English).

Every sentence is a catalogue message (bot/i18n/locales/<lang>/LC_MESSAGES/bot.web.privacy.po);
the office's name and how to reach it come from the knowledge base, the retention period from
the deployment (RETENTION_DAYS, bot/ops/retention.py), so the page never says what is not true.
"""

from __future__ import annotations

from babel import Locale
from markupsafe import Markup

from bot.answers.base import knowledge, office_contact_hint
from bot.i18n import SUPPORTED_LANGUAGES, _, n_, speaking
from bot.i18n.context import DEFAULT_LANGUAGE
from bot.i18n.formatting import number
from bot.ops.retention import retention_days
from bot.privacy.notice import notice_sentence
from bot.web.admin.render import markdown


def chosen_language(query: str | None, accept_language: str | None) -> str:
    """`?lang=` when it is one we speak, else the browser's first supported preference."""
    if query in SUPPORTED_LANGUAGES:
        return query
    preferences: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _sep, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in SUPPORTED_LANGUAGES and weight > 0:
            preferences.append((-weight, position, primary))
    return min(preferences)[2] if preferences else DEFAULT_LANGUAGE


def _autonym(language: str) -> str:
    name = Locale.parse(language).get_language_name(language) or language
    return name[:1].upper() + name[1:]


def _contact_ways() -> list[str]:
    """How to reach the office, when the knowledge base knows (else the assistant says so)."""
    contacts = knowledge().kb.office.contacts
    return [office_contact_hint()] if contacts.emails or contacts.phone or contacts.website else []


def page_context(language: str) -> dict:
    """The page's sentences in `language` (the template only lays them out)."""
    with speaking(language) as spoken:
        office = knowledge().kb.office.department.name
        days = int(retention_days())
        return {
            "language": spoken,
            "title": _("Privacy: the assistant for international students"),
            "intro": notice_sentence(),
            "languages_label": _("Language of this page"),
            "languages": [
                {"code": code, "name": _autonym(code), "current": code == spoken}
                for code in SUPPORTED_LANGUAGES
            ],
            "sections": [
                {
                    "id": "kept",
                    "title": _("What is kept"),
                    "paragraphs": [
                        _(
                            "Your messages to the assistant and its replies, with the time they "
                            "were sent and the language they were in."
                        ),
                        _(
                            "For the staff: the questions the assistant could not answer, your "
                            "requests to talk to a person, and what you said about its answers. "
                            "These name your conversation only by a code, never by your name, "
                            "account or Messenger id."
                        ),
                    ],
                },
                {
                    "id": "how-long",
                    "title": _("For how long"),
                    "paragraphs": [
                        n_(
                            "A conversation is deleted {days} day after its last message.",
                            "A conversation is deleted {days} days after its last message.",
                            days,
                            days=number(days),
                        )
                    ],
                },
                {
                    "id": "who",
                    "title": _("Who reads it"),
                    "paragraphs": [
                        _(
                            "Staff of the **{office}** read conversations to improve the "
                            "assistant's answers and to reply to students who asked for a "
                            "person. Nobody else is given them.",
                            office=office,
                        )
                    ],
                },
                {
                    "id": "delete",
                    "title": _("Having your conversation deleted"),
                    "paragraphs": [
                        _(
                            "Ask the assistant, in the chat: “delete my conversation”. It "
                            "replies with a reference made for your conversation alone, such "
                            "as ABCDE-FGH23."
                        ),
                        _(
                            "Send that reference to the staff of the **{office}** and ask them "
                            "to delete the conversation. They delete its messages and everything "
                            "kept with it. Without the reference, nobody can tell which "
                            "conversation is yours.",
                            office=office,
                        ),
                        *_contact_ways(),
                    ],
                },
            ],
            "back": _("Back to the main page"),
        }


def rendered(context: dict) -> dict:
    """Paragraphs as safe HTML: the catalogue's markdown (bold, links) through the admin's
    escaping renderer."""
    for section in context["sections"]:
        section["paragraphs"] = [Markup(markdown(p)) for p in section["paragraphs"]]
    return context
