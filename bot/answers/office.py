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
from bot.i18n import _, fact_text
from bot.i18n.formatting import long_date
from bot.links import echo


def office() -> Answer:
    kb = knowledge().kb
    vr, dept = kb.office.vice_rectorate, kb.office.department
    vice_rectorate = _(
        "**{name}**\n{purpose} Its mission is to:\n{mission}",
        name=vr.name,
        purpose=fact_text(vr.purpose.text),
        mission=bullets(fact_text(m.text) for m in vr.mission),
    )
    department = _(
        "**{name}**\n{reports_to} It:\n{responsibilities}\n- deals with {subjects}",
        name=dept.name,
        reports_to=fact_text(dept.reports_to.text),
        responsibilities=bullets(fact_text(r.text) for r in dept.responsibilities),
        subjects=join([fact_text(item) for item in dept.deals_with.items]),
    )
    facts = [vr.purpose, *vr.mission, dept.reports_to, *dept.responsibilities, dept.deals_with]
    buttons = [
        Button.ask(_("Admissions"), "ask_admissions"),
        Button.ask(_("How to contact them"), "ask_contact"),
    ]
    return answer(f"{vice_rectorate}\n\n{department}", facts, buttons, topic="office")


def admissions() -> Answer:
    dept = knowledge().kb.office.department
    handled = _(
        "International student admissions are handled by the **{office}**, which deals with "
        "{subjects}.",
        office=dept.name,
        subjects=join([fact_text(item) for item in dept.deals_with.items]),
    )
    not_described = _(
        "The page I know doesn't describe the application steps, documents, fees or deadlines."
    )
    body = f"{handled}\n\n{not_described} {office_contact_hint()}"
    buttons = [
        Button.ask(_("Programmes in English"), "ask_english_programmes"),
        Button.ask(_("Contact the office"), "ask_contact"),
    ]
    return answer(body, [dept.deals_with], buttons, topic="admissions")


def contact() -> Answer:
    contacts = knowledge().kb.office.contacts
    facts = [contacts.hidden_on_page] if contacts.hidden_on_page else []
    return answer(office_contact_hint(), facts, topic="contact")


def not_covered(subject: str | None = None) -> Answer:
    """The honest answer to a practical question the page does not answer (fees, visas...).
    `subject` is already in the reply's language (bot/understanding/details.py)."""
    if subject:
        declined = _(
            "I'm afraid I don't have information about {subject}: the university's International "
            "Relations page doesn't cover it, and I won't guess.",
            subject=quoted(subject),
        )
    else:
        declined = _(
            "I'm afraid I don't have information about that: the university's International "
            "Relations page doesn't cover it, and I won't guess."
        )
    body = f"{declined}\n\n{office_contact_hint()}"
    buttons = [
        Button.ask(_("Who handles admissions?"), "ask_admissions"),
        Button.ask(_("Programmes in English"), "ask_english_programmes"),
    ]
    return Answer(f"{body}\n\n{source_line()}", buttons, "not_covered", known=False)


def source_info() -> Answer:
    kb = knowledge().kb
    document = kb.document
    body = _(
        "Everything I say comes from the {title} of {university}, which describes the situation "
        "as of {date}. Each fact I give is stored with the sentence of that page it comes from, "
        "and I don't add facts of my own.",
        title=document.title,
        university=kb.university.name,
        date=document.as_of,
    )
    if document.review_by:
        body += " " + _("Staff plan to review it by {date}.", date=long_date(document.review_by))
    return Answer(sentence(body), [], "source")


def not_understood(question: str | None = None) -> Answer:
    """The fallback: admit it, never guess, point to what the assistant can do and who can help.
    In a reply to several questions it names the one it can't answer."""
    shown = echo(question) if question else ""
    if shown:
        sorry = _("I'm sorry, I don't have an answer to “{question}”.", question=shown)
    else:
        sorry = _("I'm sorry, I don't have an answer to that.")
    can_do = _(
        "I can tell you about programmes taught in English, exchange options and partner "
        "countries, international projects, international students and scholarship support."
    )
    body = f"{sorry} {can_do}\n\n{office_contact_hint()}"
    buttons = [
        Button.ask(_("What can you do?"), "help"),
        Button.ask(_("Exchange options"), "ask_exchange_programmes"),
    ]
    return Answer(body, buttons, "fallback", known=False)


def out_of_scope() -> Answer:
    """Not what this assistant is for: say so, and what it can do instead."""
    body = _(
        "I'm afraid I can't help with that: I only answer questions about international study at "
        "{university}. I can help with programmes taught in English, exchange and partner "
        "universities, international projects, international students and scholarship support.",
        university=knowledge().kb.university.name,
    )
    buttons = [
        Button.ask(_("What can you do?"), "help"),
        Button.ask(_("Programmes in English"), "ask_english_programmes"),
        Button.ask(_("Exchange options"), "ask_exchange_programmes"),
    ]
    return Answer(body, buttons, "out_of_scope", known=False)
