"""Handing a conversation to the international office staff: what the student is told."""

from __future__ import annotations

from bot.answers.base import Answer, Button, knowledge

HANDOFF_BUTTON = Button.ask("Talk to a person", "request_human")
REPLY_CHANNELS = {"messenger"}  # channels where staff can write back in the same conversation


def handed_off(channel: str | None) -> Answer:
    """Told where and when staff reply; on channels where they can't write back, asked for an
    address to reply to."""
    office = knowledge().kb.office
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


def contact_added() -> Answer:
    return Answer(
        "Thank you: I've added your e-mail address to your request, and staff will reply to it.",
        [],
        "handoff",
    )
