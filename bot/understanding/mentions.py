"""Names in a sentence: projects, organisations, programmes, countries, found with the knowledge
base's own name tables (bot/kb/index.py) plus the words that name one organisation or programme
on their own ("Heidelberg", "bilateral"), misspelt single words, and the NLU's entities.

Tables are built once per loaded knowledge base, so a changed fact is read afresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Sequence, Tuple

from bot.answers.base import knowledge
from bot.kb import live
from bot.kb.index import KnowledgeIndex, fold
from bot.kb.schema import ExchangeProgramme, Organisation
from bot.language.textfold import closest_unambiguous

FUZZY_CUTOFF = 0.84  # as bot/kb/index.py: "Heidelburg" is Heidelberg, "Guinea" is not "Ghana"

# Words of an organisation's name that name no one organisation on their own.
GENERIC_NAME_WORDS = {
    "university", "universita", "uni", "univ", "institute", "polytechnic", "state", "national",
    "academy", "sciences", "science", "ministry", "education", "republic", "council", "service",
    "exchange", "academic", "studi", "degli", "dell", "environmental", "life", "technology",
    "consulate", "school", "college", "the", "and", "for", "program", "programme", "project",
}  # fmt: skip

GENERIC_PROGRAMME_WORDS = {
    "exchange", "programme", "program", "programs", "programmes", "agreement", "agreements",
    "cooperation", "plus", "mobility", "scheme",
}  # fmt: skip


@dataclass(frozen=True)
class Mention:
    kind: str  # project | organisation | country | programme | university | group
    target: object
    start: int  # token positions in the sentence's folded tokens
    end: int


NameTable = Tuple[Dict[str, Tuple[str, object]], Dict[str, str], int]


def name_table() -> NameTable:
    """Every folded name -> (kind, object); the case-sensitive country labels; the longest name
    in words. Built once per loaded knowledge base, so a reloaded one is read afresh."""
    return _name_table(knowledge())


@lru_cache(maxsize=2)
def _name_table(index: KnowledgeIndex) -> NameTable:
    """Where two kinds share a name, the first kind listed wins."""
    kb = index.kb
    table: Dict[str, Tuple[str, object]] = {}

    def add(kind: str, labels: Sequence[str], target: object) -> None:
        for label in labels:
            key = fold(label)
            if key and key not in table:
                table[key] = (kind, target)

    for group in kb.project_groups:
        add("group", [group.programme], group.programme)
    for project in kb.projects:
        add("project", [project.acronym, project.name, *project.aliases], project)
    for programme in kb.exchange_programmes:
        add("programme", [programme.name, *programme.aliases], programme)
    add("university", [kb.university.name, *kb.university.aliases], kb.university)
    for org in kb.organisations:
        add("organisation", [org.name, *org.aliases], org)
    case_sensitive: Dict[str, str] = {}
    for country in index.countries.values():
        add("country", [country.name, *country.aliases, *country.demonyms], country)
        for label in country.case_sensitive:
            case_sensitive[fold(label)] = label
    for word, org in distinctive_organisation_words(index).items():
        table.setdefault(word, ("organisation", org))
    for word, programme in distinctive_programme_words(index).items():
        table.setdefault(word, ("programme", programme))
    longest = max(len(key.split()) for key in table)
    return table, case_sensitive, longest


@lru_cache(maxsize=2)
def distinctive_organisation_words(index: KnowledgeIndex) -> Dict[str, Organisation]:
    """Words that name one organisation on their own ("Heidelberg", "Tbilisi", "Aquila"):
    students rarely type a university's full name."""
    owners: Dict[str, set] = {}
    for org in index.kb.organisations:
        for label in [org.name, *org.aliases]:
            for word in fold(label).split():
                if len(word) >= 4 and not word.isdigit() and word not in GENERIC_NAME_WORDS:
                    owners.setdefault(word, set()).add(org.id)
    taken = set(index.country_names) | set(index.project_names)
    return {
        word: index.organisations[next(iter(ids))]
        for word, ids in owners.items()
        if len(ids) == 1 and word not in taken
    }


@lru_cache(maxsize=2)
def distinctive_programme_words(index: KnowledgeIndex) -> Dict[str, ExchangeProgramme]:
    """Words that name one exchange programme on their own ("your bilateral partners")."""
    owners: Dict[str, set] = {}
    programmes = {p.id: p for p in index.kb.exchange_programmes}
    for programme in programmes.values():
        for label in [programme.name, *programme.aliases]:
            for word in fold(label).split():
                if len(word) >= 4 and word not in GENERIC_PROGRAMME_WORDS:
                    owners.setdefault(word, set()).add(programme.id)
    return {w: programmes[next(iter(ids))] for w, ids in owners.items() if len(ids) == 1}


def _fuzzy_words() -> Dict[str, Tuple[str, object]]:
    return _fuzzy_table(knowledge())


@lru_cache(maxsize=2)
def _fuzzy_table(index: KnowledgeIndex) -> Dict[str, Tuple[str, object]]:
    """Single-word project and organisation names, for typos ("Heidelburg", "Magnuss")."""
    table, _, _ = _name_table(index)
    return {
        key: value
        for key, value in table.items()
        if " " not in key and len(key) >= 5 and value[0] in {"project", "organisation"}
    }


def find_mentions(text: str, tokens: List[str]) -> List[Mention]:
    """Longest names first, left to right; a misspelt single word is matched against project and
    organisation names only (countries are many, and short)."""
    table, case_sensitive, longest = name_table()
    fuzzy = _fuzzy_words()
    mentions: List[Mention] = []
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            key = " ".join(tokens[i : i + n])
            hit = table.get(key)
            if (
                hit
                and key in case_sensitive
                and not re.search(rf"\b{re.escape(case_sensitive[key])}\b", text)
            ):
                hit = None
            if hit:
                mentions.append(Mention(hit[0], hit[1], i, i + n))
                i += n
                break
        else:
            word = tokens[i]
            if len(word) >= 6 and word.isalpha():
                close = closest_unambiguous(
                    word, list(fuzzy), lambda k: id(fuzzy[k][1]), FUZZY_CUTOFF
                )
                if close:
                    mentions.append(Mention(fuzzy[close][0], fuzzy[close][1], i, i + 1))
            i += 1
    return mentions


@live.before_change
def _prepare(index: KnowledgeIndex) -> None:
    """A process that looks names up (the action server) has the new tables before its first
    question about the new knowledge base."""
    if _name_table.cache_info().currsize:
        _fuzzy_table(index)


ENTITY_KINDS = {"project": "project", "university": "organisation", "organisation": "organisation",
                "country": "country"}  # fmt: skip


def entity_mentions(
    chunk: str, offset: int, entities: Sequence[dict], taken: List[Mention]
) -> List[Mention]:
    """Names the NLU found (Rasa entity dicts) that the name tables missed, such as a misspelt
    project, placed at their words in the sentence."""
    index = knowledge()
    resolve = {
        "project": index.project,
        "organisation": index.organisation,
        "country": index.country,
    }
    found = []
    for entity in entities:
        kind = ENTITY_KINDS.get(str(entity.get("entity")))
        start, end = entity.get("start"), entity.get("end")
        if kind is None or not isinstance(start, int) or not isinstance(end, int):
            continue
        if not offset <= start < offset + len(chunk):
            continue
        target = resolve[kind](str(entity.get("value") or ""))
        if target is None and kind == "organisation":
            target = index.project(str(entity.get("value") or ""))
            kind = "project" if target else kind
        if target is None:
            continue
        first = len(fold(chunk[: start - offset]).split())
        last = max(first + 1, len(fold(chunk[: end - offset]).split()))
        if not any(m.start < last and first < m.end for m in taken):
            found.append(Mention(kind, target, first, last))
    return found
