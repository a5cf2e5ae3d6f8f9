"""Handing a conversation to the international office staff: what the student is told."""

from __future__ import annotations

from bot.answers.base import Answer, Button, knowledge, office_contact_hint
from bot.i18n import _, fact_text

HANDOFF_INTENT = "request_human"
REPLY_CHANNELS = {"messenger"}  # channels where staff can write back in the same conversation


def handoff_button() -> Button:
    """Built per reply: its title is in the reply's language."""
    return Button.ask(_("Talk to a person"), HANDOFF_INTENT)


def handed_off(channel: str | None, queued: bool = False) -> Answer:
    """Told where and when staff reply; on channels where they can't write back, asked for an
    address to reply to. `queued`: the staff database was busy, the request is saved and is
    passed on when it takes it (bot/staff_db/outbox.py), and the student is told exactly that."""
    office = knowledge().kb.office
    name = office.department.name
    if queued:
        passed = _(
            "I've saved our conversation for the staff of the **{office}**. Our staff system is "
            "busy right now, so it will reach them in a few minutes; you don't need to ask again.",
            office=name,
        )
    else:
        passed = _("I've passed our conversation on to the staff of the **{office}**.", office=name)
    when = fact_text(office.contacts.handoff_reply_time.strip()) if _has_reply_time() else None
    if channel in REPLY_CHANNELS and when:
        reply = _(
            "A member of staff will reply to you here, in this conversation, {when}.", when=when
        )
    elif channel in REPLY_CHANNELS:
        reply = _(
            "A member of staff will reply to you here, in this conversation. I can't promise how "
            "soon they'll reply."
        )
    elif when:
        reply = _(
            "They can't write back in this chat, so if you'd like a reply, **send me your e-mail "
            "address** in your next message and I'll add it to your request. Staff will reply to "
            "that address, {when}.",
            when=when,
        )
    else:
        reply = _(
            "They can't write back in this chat, so if you'd like a reply, **send me your e-mail "
            "address** in your next message and I'll add it to your request. Staff will reply to "
            "that address. I can't promise how soon they'll reply."
        )
    return Answer(f"{passed} {reply}", [], "handoff")


def _has_reply_time() -> bool:
    when = knowledge().kb.office.contacts.handoff_reply_time
    return bool(when and when.strip())


def handoff_impossible() -> Answer:
    """The request could not be saved at all: say so, and how to reach the office instead."""
    sorry = _(
        "I'm sorry: I can't pass our conversation on to staff right now, because our staff "
        "system is not available."
    )
    return Answer(f"{sorry} {office_contact_hint()}", [], "handoff")


def contact_added(queued: bool = False) -> Answer:
    if queued:
        text = _(
            "Thank you: I've saved your e-mail address, and it will be added to your request in "
            "a few minutes (our staff system is busy right now). Staff will reply to it."
        )
    else:
        text = _(
            "Thank you: I've added your e-mail address to your request, and staff will reply to it."
        )
    return Answer(text, [], "handoff")
