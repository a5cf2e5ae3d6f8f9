"""Handing a conversation to the international office staff: what the student is told."""

from __future__ import annotations

from bot.answers.base import Answer, Button, knowledge, office_contact_hint

HANDOFF_BUTTON = Button.ask("Talk to a person", "request_human")
REPLY_CHANNELS = {"messenger"}  # channels where staff can write back in the same conversation


def handed_off(channel: str | None, queued: bool = False) -> Answer:
    """Told where and when staff reply; on channels where they can't write back, asked for an
    address to reply to. `queued`: the staff database was busy, the request is saved and is
    passed on when it takes it (bot/staff_db/outbox.py), and the student is told exactly that."""
    office = knowledge().kb.office
    if queued:
        body = (
            f"I've saved our conversation for the staff of the **{office.department.name}**. "
            "Our staff system is busy right now, so it will reach them in a few minutes; you "
            "don't need to ask again. "
        )
    else:
        body = f"I've passed our conversation on to the staff of the **{office.department.name}**. "
    when = office.contacts.handoff_reply_time
    if channel in REPLY_CHANNELS:
        body += "A member of staff will reply to you here, in this conversation"
    else:
        body += (
            "They can't write back in this chat, so if you'd like a reply, **send me your e-mail "
            "address** in your next message and I'll add it to your request. Staff will reply "
            "to that address"
        )
    body += f", {when.strip()}." if when else ". I can't promise how soon they'll reply."
    return Answer(body, [], "handoff")


def handoff_impossible() -> Answer:
    """The request could not be saved at all: say so, and how to reach the office instead."""
    body = (
        "I'm sorry: I can't pass our conversation on to staff right now, because our staff "
        f"system is not available. {office_contact_hint()}"
    )
    return Answer(body, [], "handoff")


def contact_added(queued: bool = False) -> Answer:
    if queued:
        text = (
            "Thank you: I've saved your e-mail address, and it will be added to your request in "
            "a few minutes (our staff system is busy right now). Staff will reply to it."
        )
    else:
        text = (
            "Thank you: I've added your e-mail address to your request, and staff will reply to it."
        )
    return Answer(text, [], "handoff")
