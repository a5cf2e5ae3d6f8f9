"""Every fact of the knowledge base as a retrieval document: what it is about, what the assistant
would say, the sentence of the page it comes from, and the names of its subject.

The facts are found by walking the validated model (`iter_cited`), never listed by hand, so a fact
added to kb.yml is retrievable at the next start. Where the topic has several subjects (projects,
exchange programmes, scholarships...) the subject's names and aliases are part of every one of its
documents: "the PROMIG summer school" and "the migration project's summer school" must both find
the same fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

from bot.answers.base import join
from bot.answers.projects import RENDER, ROLE
from bot.i18n import speaking
from bot.i18n.counting import count_phrase
from bot.kb.index import KnowledgeIndex
from bot.kb.provenance import iter_cited
from bot.kb.schema import Cited, Contacts, Project

# Facts that answer nothing a student asks on their own (the university's own name).
UNRETRIEVED = frozenset({"university"})

_MARKUP = re.compile(r"[*_]")


@dataclass(frozen=True)
class FactDoc:
    """One fact as the index sees it."""

    path: str  # "projects.CRENG.period": where it lives in kb.yml (list items by id or acronym)
    topic: str
    subject: str | None
    aspect: str | None
    sentence: str  # what the assistant would say
    quote: str  # the source sentence(s)
    names: Tuple[str, ...]  # the subject's names and aliases
    related: Tuple[str, ...] = ()  # names the fact refers to: its organisations, its countries

    @property
    def text(self) -> str:
        """Everything that identifies the document; its hash keys the cached embeddings."""
        return " | ".join([self.sentence, self.quote, *self.names, *self.related])


def fact_docs(index: KnowledgeIndex) -> List[FactDoc]:
    """Every retrievable fact of the knowledge base, in kb.yml order. Always in English (the
    answers' frames are translatable, and the index may first be built while a Russian reply is
    being made): the documents, their cached embeddings and the build's must be the same."""
    docs: List[FactDoc] = []
    with speaking("en"):
        for raw_path, fact in iter_cited(index.kb):
            if raw_path in UNRETRIEVED:
                continue
            docs.extend(_docs_for(index, raw_path, fact))
    return docs


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub("", text).split())


def _quote(fact: Cited) -> str:
    return " ".join(fact.quote)


def _path(raw: str, index: KnowledgeIndex) -> str:
    """'projects[creng].aims[0]' -> 'projects.CRENG.aims.0' (projects by acronym)."""

    def label(match: re.Match) -> str:
        key = match.group(1)
        project = index.projects.get(key)
        return f".{project.acronym}" if project and raw.startswith("projects[") else f".{key}"

    return re.sub(r"\[([^\]]+)\]", label, raw)


_Classifier = Callable[[KnowledgeIndex, re.Match, Cited], Iterator[FactDoc]]
_RULES: List[Tuple[re.Pattern, _Classifier]] = []


def _rule(pattern: str) -> Callable[[_Classifier], _Classifier]:
    def register(classify: _Classifier) -> _Classifier:
        _RULES.append((re.compile(pattern + r"$"), classify))
        return classify

    return register


def _docs_for(index: KnowledgeIndex, raw_path: str, fact: Cited) -> Iterator[FactDoc]:
    for pattern, classify in _RULES:
        match = pattern.match(raw_path)
        if match:
            for doc in classify(index, match, fact):
                yield replace(doc, path=_path(doc.path, index), sentence=_plain(doc.sentence))
            return
    raise ValueError(f"fact retrieval doesn't know what {raw_path} is about: add a rule")


def _statement_text(fact: Cited) -> str:
    text = getattr(fact, "text", None)
    items = getattr(fact, "items", None)
    if items:
        return join(list(items))
    parts = [text or ""]
    for extra in ("date", "place"):
        value = getattr(fact, extra, None)
        if value:
            parts.append(str(value))
    return ", ".join(p for p in parts if p)


@_rule(r"organisations\[\w+\]")
def _organisation(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    """Nothing: an organisation on its own is a name (the NLU finds names). What BEU does with it
    is in the facts that mention it, which carry its names as `related`, so "the project with the
    Swedish university" finds MAGNUS rather than Linköping University."""
    return iter(())


@_rule(r"office\.(vice_rectorate|department|contacts)\.(\w+)(?:\[\d+\])?")
def _office(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    part, field = match.group(1), match.group(2)
    office = index.kb.office
    subject = "admissions" if field == "deals_with" else part
    owner = {"vice_rectorate": office.vice_rectorate.name, "contacts": office.department.name}
    name = owner.get(part, office.department.name)
    text = _statement_text(fact)
    sentence = f"{name} deals with {text}" if field == "deals_with" else f"{name}: {text}"
    yield FactDoc(match.string, "office", subject, None, sentence, _quote(fact), (name,))


@_rule(r"office\.contacts")
def _contacts(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    """The office's contacts once staff filled them (nothing to retrieve while they are empty:
    the contact answer says so itself)."""
    if not isinstance(fact, Contacts) or not fact.filled():
        return
    name = index.kb.office.department.name
    given = [*fact.emails, fact.phone, fact.website, fact.address, fact.opening_hours]
    sentence = f"{name} contacts: {', '.join(value for value in given if value)}"
    yield FactDoc(match.string, "office", "contacts", None, sentence, _quote(fact), (name,))


@_rule(r"cooperation\.\w+")
def _cooperation(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    sentence = f"BEU's international cooperation: {_statement_text(fact)}"
    yield FactDoc(match.string, "cooperation", None, None, sentence, _quote(fact), ())


@_rule(r"exchange_programmes\[(\w+)\]\.partner_claims\[\d+\]")
def _exchange(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    programme = index.exchange(match.group(1))
    countries = join([index.country_name(c) for c in fact.countries])
    what = count_phrase(fact.count, fact.qualifier, fact.unit)
    sentence = f"{programme.name}: BEU cooperates with {what}" + (
        f" in {countries}" if countries else ""
    )
    names = (programme.name, *programme.aliases)
    related = _country_words(index, fact.countries)
    yield FactDoc(
        match.string, "exchange", programme.id, None, sentence, _quote(fact), names, related
    )


@_rule(r"mobility\.(\w+)")
def _mobility(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    sentence = count_phrase(fact.count, fact.qualifier, fact.text)
    yield FactDoc(match.string, "mobility", match.group(1), None, sentence, _quote(fact), ())


@_rule(r"programmes\.(\w+)")
def _programmes(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    subject = match.group(1)
    text = _statement_text(fact)
    if subject == "popular_departments":
        text = f"Foreign students mainly choose these departments: {text}"
    related = _organisation_words(index, [getattr(fact, "partner", None)])
    yield FactDoc(match.string, "programmes", subject, None, text, _quote(fact), (), related)


@_rule(r"project_groups\[\d+\]")
def _project_group(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    # The projects' acronyms are related words, not names of this fact: "what is CRENG" is
    # about CRENG, not about the list it is part of.
    related = tuple(p.acronym for p in index.kb.projects if p.programme == fact.programme)
    yield FactDoc(match.string, "projects", None, None, fact.text, _quote(fact), (), related)


def _project_names(project: Project) -> Tuple[str, ...]:
    return (project.acronym, project.name, *project.aliases)


def _country_words(index: KnowledgeIndex, codes: Sequence[str]) -> Tuple[str, ...]:
    """How students name the countries: "Turkish universities", "Türkiye"."""
    words: List[str] = []
    for code in codes:
        country = index.countries[code]
        words += [*country.aliases, *country.demonyms]
    return tuple(words)


def _organisation_words(index: KnowledgeIndex, org_ids: Sequence[str | None]) -> Tuple[str, ...]:
    """The organisations' names, aliases and countries ("the Swedish university")."""
    words: List[str] = []
    for org_id in org_ids:
        org = index.organisations.get(org_id or "")
        if org:
            country = index.countries[org.country]
            words += [org.name, *org.aliases, country.name, *country.demonyms]
    return tuple(words)


def _project_related(index: KnowledgeIndex, project: Project) -> Tuple[str, ...]:
    return _organisation_words(index, [project.coordinator, project.funder, *project.involved])


def _title(project: Project) -> str:
    if project.acronym.lower() in project.name.lower():
        return project.name
    return f"{project.acronym} ({project.name})"


def _rendered(project: Project, aspect: str) -> str:
    body, _facts = RENDER[aspect](project)
    return body


@_rule(r"projects\[(\w+)\]")
def _project(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    project = index.projects[match.group(1)]
    names = _project_names(project)
    summary = f"{project.acronym}: {project.name}, {project.programme}. {ROLE[project.role]}."
    funder = index.organisations.get(project.funder or "")
    if funder:
        summary += f" It is run with the {funder.name}."
    related = _project_related(index, project)
    yield FactDoc(
        match.string, "project", project.acronym, "details", summary, _quote(fact), names, related
    )
    if project.coordinator:
        yield FactDoc(
            f"{match.string}.coordinator",
            "project",
            project.acronym,
            "coordinator",
            _rendered(project, "coordinator"),
            _quote(fact),
            names,
            _organisation_words(index, [project.coordinator]),
        )


PROJECT_ASPECT = {
    "period": "period",
    "aims": "aims",
    "events": "activities",
    "outcomes": "activities",
    "status": "activities",
    "members": "details",
}


@_rule(r"projects\[(\w+)\]\.(\w+)(?:\[\d+\])?")
def _project_part(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    project = index.projects[match.group(1)]
    aspect = PROJECT_ASPECT[match.group(2)]
    if aspect == "period":
        sentence = _rendered(project, "period")
    else:  # the title says what the project is about: "the transport crisis project's status"
        sentence = f"{_title(project)}: {_statement_text(fact)}"
    names = _project_names(project)
    related = _project_related(index, project)
    yield FactDoc(
        match.string, "project", project.acronym, aspect, sentence, _quote(fact), names, related
    )


@_rule(r"international_students")
def _students(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    countries = join([index.country_name(c) for c in fact.countries])
    sentence = (
        f"{fact.count} international students from {fact.country_count} countries study at "
        f"BEU: {countries}"
    )
    related = _country_words(index, fact.countries)
    yield FactDoc(match.string, "students", None, None, sentence, _quote(fact), (), related)


@_rule(r"scholarship_support")
def _scholarships(index: KnowledgeIndex, match: re.Match, fact: Cited) -> Iterator[FactDoc]:
    yield FactDoc(match.string, "scholarship", None, None, fact.text, _quote(fact), ())
    department = index.kb.office.department.name
    for programme in fact.programmes:
        yield FactDoc(
            f"{match.string}.programmes.{programme.name}",
            "scholarship",
            programme.name,
            None,
            f"The {department} supports students who apply to the {programme.name} programme.",
            _quote(fact),
            (programme.name, *programme.aliases),
        )


def by_path(docs: Sequence[FactDoc]) -> Dict[str, FactDoc]:
    return {doc.path: doc for doc in docs}
