"""What a student sees around feedback on an answer: the 👍/👎 quick replies, the thanks, the one
optional "what was wrong?" and its Skip button. Sentences only; the rules for when to offer are
in actions/feedback.py."""

from __future__ import annotations

from typing import List

from bot.answers.base import Answer, Button
from bot.i18n import _

FEEDBACK_INTENT = "feedback"
UP, DOWN, SKIP = "up", "down", "skip"


def feedback_buttons() -> List[Button]:
    """👍 and 👎, always last (after the answer's own follow-ups) and never translated."""
    return [
        Button.ask("👍", FEEDBACK_INTENT, value=UP),
        Button.ask("👎", FEEDBACK_INTENT, value=DOWN),
    ]


def feedback_offered(reply: Answer) -> bool:
    """Whether this reply carries 👍/👎 (also for the analytics metadata `feedback_offered`)."""
    return any(b.payload.startswith(f"/{FEEDBACK_INTENT}{{") for b in reply.buttons)


def helpful_prompt() -> str:
    """The last line of a reply offering 👍/👎, just above them (actions/reply.py `send`)."""
    return _("_Was this helpful?_")


def thanks_for_up() -> Answer:
    return Answer(_("Thank you! I'm glad it helped."), [], "feedback")


def ask_what_was_wrong() -> Answer:
    """One optional question after a 👎, with a way out."""
    skip = Button.ask(_("Skip"), FEEDBACK_INTENT, value=SKIP)
    text = _(
        "Thank you for telling me. What was wrong? Write it in your next message and I'll pass "
        "it on to the staff (you can skip this)."
    )
    return Answer(text, [skip], "feedback")


def thanks_for_comment() -> Answer:
    return Answer(_("Thank you, I've passed that on to the staff."), [], "feedback")


def noted() -> Answer:
    """A tap on an answer already rated: thanked, stored once."""
    return Answer(_("Thank you, noted."), [], "feedback")


def skipped() -> Answer:
    return Answer(_("No problem. Ask me anything else."), [], "feedback")
