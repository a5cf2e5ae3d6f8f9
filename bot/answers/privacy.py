"""What a student hears when they ask for their conversation to be deleted: the reference they
give to staff (bot/privacy/reference.py), how long it is kept meanwhile, and where to read more."""

from __future__ import annotations

from bot.answers.base import Answer, knowledge, office_contact_hint
from bot.i18n import _, current_language, n_
from bot.i18n.formatting import number
from bot.privacy.notice import privacy_url


def deletion_reference_reply(reference: str, retention_days: float) -> Answer:
    office = knowledge().kb.office.department.name
    keep = _(
        "Your conversation's reference is **{reference}**. Keep it, and send it to the staff of "
        "the **{office}** asking them to delete this conversation: they will delete its messages "
        "and everything kept with it (questions for the staff, feedback, requests for a person).",
        reference=reference,
        office=office,
    )
    days = int(retention_days)
    meanwhile = n_(
        "Until then, it is kept for at most {days} day after your last message. "
        "[How we handle conversations]({url})",
        "Until then, it is kept for at most {days} days after your last message. "
        "[How we handle conversations]({url})",
        days,
        days=number(days),
        url=privacy_url(current_language()),
    )
    return Answer(f"{keep}\n\n{meanwhile}\n\n{office_contact_hint()}", [], "privacy")


def reference_unavailable() -> Answer:
    """The key the reference is made with could not be read (the staff database is down)."""
    sorry = _(
        "I'm sorry: I can't give you a reference for deleting this conversation right now, "
        "because our staff system is not available. Please ask me again in a few minutes."
    )
    return Answer(f"{sorry} {office_contact_hint()}", [], "privacy")
