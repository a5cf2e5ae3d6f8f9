"""What an answer is, and the few phrasing helpers every topic shares.

Answers never contain a fact that is not read from the knowledge base: the modules here only
arrange facts into sentences. Every answer ends with where it comes from and as of when.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Sequence

from bot.kb.index import KnowledgeIndex
from bot.kb.load import load_countries, load_kb
from bot.kb.schema import Cited
from bot.links import echo


def quoted(student_text: str | None, otherwise: str = "that") -> str:
    """What the student typed, in bold, as plain text: a `/intent{"project": "<img ...>"}`
    payload or a link in a message is never echoed as markup (bot/links.py `echo`)."""
    shown = echo(student_text)
    return f"**{shown}**" if shown else otherwise


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


def as_of(facts: Iterable[Cited] = ()) -> str:
    """The oldest 'as of' among the facts used, falling back to the document's date."""
    dates = [f.as_of for f in facts if f.as_of] or [knowledge().kb.document.as_of]
    return min(dates)


def source_line(facts: Iterable[Cited] = ()) -> str:
    document = knowledge().kb.document
    title = f"[{document.title}]({document.url})" if document.url else document.title
    return f"_Source: {title}, as of {as_of(facts)}._"


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


SOURCE_LINE = re.compile(r"\n*_Source: [^\n]*_\s*$")


def merge(answers: Sequence[Answer], headings: Sequence[str] | None = None) -> Answer:
    """Several answers as one reply: in order, each under its heading if given, a paragraph
    already said (the office's contacts after two "not covered" answers) not repeated, one
    source line for all their facts. Buttons and context come from the last known answer."""
    said: set = set()
    sections: List[str] = []
    for position, reply in enumerate(answers):
        paragraphs = [p for p in SOURCE_LINE.sub("", reply.text).split("\n\n") if p.strip()]
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
    return Answer(
        text, list(last.buttons), last.topic, bool(known), dict(last.subject), facts, last.listed
    )


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def count_phrase(count: int, qualifier: str, unit: str) -> str:
    prefix = "more than " if qualifier == "more_than" else ""
    return f"{prefix}{count} {unit}"


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
        ways.append("e-mail " + join([f"[{e}](mailto:{e})" for e in contacts.emails], "or"))
    if contacts.phone:
        ways.append(f"phone {contacts.phone}")
    if contacts.website:
        ways.append(f"the website {contacts.website}")
    if ways:
        return f"Please contact the **{name}**: {join(ways, 'or')}."
    return (
        f"Please contact the **{name}** of {kb.university.name}. I don't have their e-mail "
        "address: the page I was built from hides it."
    )


def lookup_unavailable() -> Answer:
    """What a student hears when the part of the assistant that would answer is not available
    (a failed or slow action call, the staff FAQ still loading): try again, and who can help."""
    return Answer(
        "Sorry, I can't look that up right now. Please try again in a minute. "
        + office_contact_hint(),
        topic="unavailable",
        known=False,
    )
