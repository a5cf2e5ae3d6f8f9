"""The international office: who it is, what it does, how to reach it, what only it can answer."""

from __future__ import annotations

from bot.answers.base import (
    Answer,
    Button,
    answer,
    bullets,
    join,
    knowledge,
    office_contact_hint,
    quoted,
    sentence,
    source_line,
)
from bot.links import echo


def office() -> Answer:
    kb = knowledge().kb
    vr, dept = kb.office.vice_rectorate, kb.office.department
    body = (
        f"**{vr.name}**\n{vr.purpose.text} Its mission is to:\n"
        f"{bullets(m.text for m in vr.mission)}\n\n"
        f"**{dept.name}**\n{dept.reports_to.text} It:\n"
        f"{bullets(r.text for r in dept.responsibilities)}\n"
        f"- deals with {join(dept.deals_with.items)}"
    )
    facts = [vr.purpose, *vr.mission, dept.reports_to, *dept.responsibilities, dept.deals_with]
    buttons = [
        Button.ask("Admissions", "ask_admissions"),
        Button.ask("How to contact them", "ask_contact"),
    ]
    return answer(body, facts, buttons, topic="office")


def admissions() -> Answer:
    dept = knowledge().kb.office.department
    body = (
        f"International student admissions are handled by the **{dept.name}**, which deals with "
        f"{join(dept.deals_with.items)}.\n\n"
        "The page I know doesn't describe the application steps, documents, fees or deadlines. "
        f"{office_contact_hint()}"
    )
    buttons = [
        Button.ask("Programmes in English", "ask_english_programmes"),
        Button.ask("Contact the office", "ask_contact"),
    ]
    return answer(body, [dept.deals_with], buttons, topic="admissions")


def contact() -> Answer:
    contacts = knowledge().kb.office.contacts
    facts = [contacts.hidden_on_page] if contacts.hidden_on_page else []
    return answer(office_contact_hint(), facts, topic="contact")


def not_covered(subject: str | None = None) -> Answer:
    """The honest answer to a practical question the page does not answer (fees, visas...)."""
    what = quoted(subject)
    body = (
        f"I'm afraid I don't have information about {what}: the university's International "
        f"Relations page doesn't cover it, and I won't guess.\n\n{office_contact_hint()}"
    )
    buttons = [
        Button.ask("Who handles admissions?", "ask_admissions"),
        Button.ask("Programmes in English", "ask_english_programmes"),
    ]
    return Answer(f"{body}\n\n{source_line()}", buttons, "not_covered", known=False)


def source_info() -> Answer:
    kb = knowledge().kb
    document = kb.document
    review = (
        f" Staff plan to review it by {document.review_by:%d %B %Y}." if document.review_by else ""
    )
    body = sentence(
        f"everything I say comes from the {document.title} of {kb.university.name}, which "
        f"describes the situation as of {document.as_of}. Each fact I give is stored with the "
        "sentence of that page it comes from, and I don't add facts of my own"
    )
    return Answer(body + review, [], "source")


def not_understood(question: str | None = None) -> Answer:
    """The fallback: admit it, never guess, point to what the assistant can do and who can help.
    In a reply to several questions it names the one it can't answer."""
    that = f"“{echo(question)}”" if question and echo(question) else "that"
    body = (
        f"I'm sorry, I don't have an answer to {that}. I can tell you about programmes taught in "
        "English, exchange options and partner countries, international projects, international "
        f"students and scholarship support.\n\n{office_contact_hint()}"
    )
    buttons = [
        Button.ask("What can you do?", "help"),
        Button.ask("Exchange options", "ask_exchange_programmes"),
    ]
    return Answer(body, buttons, "fallback", known=False)


def out_of_scope() -> Answer:
    """Not what this assistant is for: say so, and what it can do instead."""
    university = knowledge().kb.university.name
    body = (
        "I'm afraid I can't help with that: I only answer questions about international study at "
        f"{university}. I can help with programmes taught in English, exchange and partner "
        "universities, international projects, international students and scholarship support."
    )
    buttons = [
        Button.ask("What can you do?", "help"),
        Button.ask("Programmes in English", "ask_english_programmes"),
        Button.ask("Exchange options", "ask_exchange_programmes"),
    ]
    return Answer(body, buttons, "out_of_scope", known=False)
