"""Is a reply in the expected language? Checked by script, not by eye (issue 13).

A reply mixes its language with things that have none: markdown, links (the source line's page
title is an English name), numbers, the canonical names the knowledge base keeps in every
language (Linköping University, Erasmus+, PROMIG) and the English name a country gets in
brackets ("Польша (Poland)"). Those are removed first; what is left is the reply's own prose,
judged by the assistant's detector (bot.language.detect), as a whole and line by line, so a
half-translated reply (one English sentence among Russian ones) fails too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Tuple

LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|https?://\S+")
BRACKETS = re.compile(r"\([^()]*\)")
MARKUP = re.compile(r"[*_`#>|~]+")
NUMBER = re.compile(r"\d+(?:[.,:–-]\d+)*")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
MIN_WORDS_PER_LINE = 5  # shorter lines ("- İngiliz Dili ve Edebiyatı", a list item) say too little


@lru_cache(maxsize=1)
def _names() -> Tuple[str, ...]:
    """Names that stay as they are in every language, longest first: the knowledge base's
    organisations, projects, programmes, departments, scholarships and countries (English)."""
    from bot.answers.base import knowledge

    index = knowledge()
    kb = index.kb
    names = {kb.university.name, *kb.university.aliases, kb.document.title}
    names |= {kb.office.vice_rectorate.name, kb.office.department.name}
    names |= set(kb.programmes.popular_departments.items)
    for organisation in index.organisations.values():
        names |= {organisation.name, *organisation.aliases}
    for project in kb.projects:
        names |= {project.acronym, project.name}
    for programme in kb.exchange_programmes:
        names |= {programme.name, *programme.aliases}
    names |= {p.name for p in kb.scholarship_support.programmes}
    names |= set(index.country_names)
    return tuple(sorted((n for n in names if len(n) >= 3), key=len, reverse=True))


def prose(reply: str) -> str:
    """The reply without links, bracketed asides, markup, numbers and canonical names."""
    text = LINK.sub(" ", reply)
    text = BRACKETS.sub(" ", text)
    text = MARKUP.sub(" ", text)
    for name in _names():
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return NUMBER.sub(" ", text)


def _agrees(text: str, expected: str) -> Tuple[bool, str | None]:
    from bot.language.detect import detect

    detected = detect(text)
    return detected.code == expected or expected in detected.alternatives, detected.code


def language_problems(reply: str, expected: str) -> List[str]:
    """Why `reply` is not (wholly) in language `expected`; empty when it is."""
    text = prose(reply)
    agrees, code = _agrees(text, expected)
    problems = [] if agrees else [f"the reply reads as {code!r}, not {expected!r}"]
    for line in text.splitlines():
        if len(WORD.findall(line)) < MIN_WORDS_PER_LINE:
            continue
        agrees, code = _agrees(line, expected)
        if not agrees:
            problems.append(f"a line in {code!r}: {line.strip()!r}")
    return problems
