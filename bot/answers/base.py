"""What an answer is, and the few phrasing helpers every topic shares.

Answers never contain a fact that is not read from the knowledge base: the modules here only
arrange facts into sentences. Every answer ends with where it comes from and as of when.
Sentences are frames in the reply's language (bot.i18n `_`): whole sentences with named
placeholders, so each language can order the words its own way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Dict, Iterable, List, Sequence

from bot.i18n import SUPPORTED_LANGUAGES, _, current_language, join, speaking
from bot.kb.index import KnowledgeIndex
from bot.kb.load import load_countries, load_kb
from bot.kb.schema import Cited
from bot.links import echo

TRANSLATED = tuple(language for language in SUPPORTED_LANGUAGES if language != "en")


def quoted(student_text: str | None, otherwise: str | None = None) -> str:
    """What the student typed, in bold, as plain text: a `/intent{"project": "<img ...>"}`
    payload or a link in a message is never echoed as markup (bot/links.py `echo`)."""
    shown = echo(student_text)
    if shown:
        return f"**{shown}**"
    return _("that") if otherwise is None else otherwise


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeIndex:
    """The validated knowledge base, loaded once per process."""
    return KnowledgeIndex(load_kb(), load_countries())


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    @classmethod
    def ask(cls, title: str, intent: str, **entities: str) -> Button:
        """A button that sends an intent (and entities) straight to the dialogue model."""
        suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
        return cls(title, f"/{intent}{suffix}")


@dataclass
class Answer:
    """A reply: markdown text, suggested follow-ups, and what it was about (for follow-ups)."""

    text: str
    buttons: List[Button] = field(default_factory=list)
    topic: str | None = None
    known: bool = True
    subject: Dict[str, str] = field(default_factory=dict)
    facts: List[Cited] = field(default_factory=list)  # what it rests on (for multi-part replies)
    listed: List[str] = field(default_factory=list)  # "kind:key" of a list shown ("the second one")
    faq_entries: List[int] = field(default_factory=list)  # the staff FAQ entries it gives
    # analytics of each question a reply to several answers (bot/analytics/outcome.py)
    parts: List[Dict[str, Any]] = field(default_factory=list)


def as_of(facts: Iterable[Cited] = ()) -> str:
    """The oldest 'as of' among the facts used, falling back to the document's date."""
    dates = [f.as_of for f in facts if f.as_of] or [knowledge().kb.document.as_of]
    return min(dates)


def source_line(facts: Iterable[Cited] = ()) -> str:
    """The document's title stays as published (the student can find it); the frame is theirs."""
    document = knowledge().kb.document
    title = f"[{document.title}]({document.url})" if document.url else document.title
    return _("_Source: {title}, as of {date}._", title=title, date=as_of(facts))


def answer(
    body: str,
    facts: Sequence[Cited],
    buttons: Sequence[Button] = (),
    topic: str | None = None,
    **subject: str,
) -> Answer:
    return Answer(
        f"{body}\n\n{source_line(facts)}", list(buttons), topic, True, dict(subject), list(facts)
    )


@cache
def _source_line_pattern() -> re.Pattern:
    """A source line at the end of an answer, in any language the assistant speaks (a staff FAQ
    answer's too: its frame starts with the same word), so merge() keeps only one."""
    openings = set()
    for language in SUPPORTED_LANGUAGES:
        with speaking(language):
            frame = _("_Source: {title}, as of {date}._")
        openings.add(re.escape(frame.split("{", 1)[0]))
    return re.compile(rf"\n*(?:{'|'.join(sorted(openings))})[^\n]*_\s*$")


def without_source_line(text: str) -> str:
    return _source_line_pattern().sub("", text)


def merge(answers: Sequence[Answer], headings: Sequence[str] | None = None) -> Answer:
    """Several answers as one reply: in order, each under its heading if given, a paragraph
    already said (the office's contacts after two "not covered" answers) not repeated, one
    source line for all their facts. Buttons and context come from the last known answer."""
    said: set = set()
    sections: List[str] = []
    for position, reply in enumerate(answers):
        paragraphs = [p for p in without_source_line(reply.text).split("\n\n") if p.strip()]
        fresh = [p for p in paragraphs if p.strip() not in said]
        said.update(p.strip() for p in fresh)
        if not fresh:
            continue  # the same answer as an earlier one's
        body = "\n\n".join(fresh)
        if headings is not None:
            body = f"**{len(sections) + 1}. {headings[position]}**\n{body}"
        sections.append(body)
    known = [r for r in answers if r.known]
    last = known[-1] if known else answers[-1]
    facts = [fact for r in answers for fact in r.facts]
    text = "\n\n".join(sections)
    if facts:
        text += "\n\n" + source_line(facts)
    entries = [entry for r in answers for entry in r.faq_entries]
    return Answer(
        text,
        list(last.buttons),
        last.topic,
        bool(known),
        dict(last.subject),
        facts,
        last.listed,
        entries,
    )


def local_name(english: str) -> str:
    """A name the knowledge base gives in English (a department, a field of study) with its
    translation first where staff gave one: "Компьютерная инженерия (Computer Engineering)". A
    name without one stays canonical, which is not a missing translation (no note)."""
    from bot.kb.translations import current_translations  # it reads knowledge() from here

    language = current_language()
    local = current_translations(language).get(english) if language in TRANSLATED else None
    return f"{local} ({english})" if local and local != english else english


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def office_contact_hint() -> str:
    """How to reach the office, honest about what is not known yet."""
    kb = knowledge().kb
    contacts = kb.office.contacts
    name = kb.office.department.name
    ways = []
    if contacts.emails:
        addresses = join([f"[{e}](mailto:{e})" for e in contacts.emails], "or")
        ways.append(_("e-mail {addresses}", addresses=addresses))
    if contacts.phone:
        ways.append(_("phone {phone}", phone=contacts.phone))
    if contacts.website:
        ways.append(_("the website {website}", website=contacts.website))
    if ways:
        return _("Please contact the **{office}**: {ways}.", office=name, ways=join(ways, "or"))
    return _(
        "Please contact the **{office}** of {university}. I don't have their e-mail address: "
        "the page I was built from hides it.",
        office=name,
        university=kb.university.name,
    )


def lookup_unavailable() -> Answer:
    """What a student hears when the part of the assistant that would answer is not available
    (a failed or slow action call, the staff FAQ still loading): try again, and who can help."""
    return Answer(
        _(
            "Sorry, I can't look that up right now. Please try again in a minute. {contact}",
            contact=office_contact_hint(),
        ),
        topic="unavailable",
        known=False,
    )
