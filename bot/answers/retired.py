"""The honest answer about something staff retired from the knowledge base (a finished project,
a former partner): its name is still recognised, the assistant says it has no current
information, and names who to ask. Nothing of the retired fact's old content is told as current.
"""

from __future__ import annotations

from bot.answers.base import Answer, knowledge, office_contact_hint
from bot.i18n import _
from bot.kb.schema import RetiredFact


def retired_lookup(text: str | None) -> RetiredFact | None:
    """The retired project or organisation `text` names (call it after the live lookup failed)."""
    return knowledge().retired(text) if text else None


def no_current_information(retired: RetiredFact, topic: str) -> Answer:
    said = _(
        "I have no current information about **{name}**. {contact}",
        name=_display_name(retired),
        contact=office_contact_hint(),
    )
    return Answer(said, topic=topic, known=False)


def _display_name(retired: RetiredFact) -> str:
    return retired.name or (retired.aliases[0] if retired.aliases else retired.path)
