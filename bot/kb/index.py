"""Name resolution over the knowledge base: any alias, demonym or typo'd spelling to one object.

The NLU already maps synonyms to canonical values, but slot values also arrive from buttons,
follow-ups and older conversations, so the query layer resolves names itself and never trusts a
string to be canonical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Dict, Iterable, List, Tuple, TypeVar

from bot.i18n import _, fact_text, n_, number
from bot.i18n.counting import count_phrase
from bot.kb.local_names import names_by_language
from bot.kb.schema import (
    Country,
    CountryList,
    KnowledgeBase,
    Organisation,
    Project,
    RetiredFact,
    Scholarship,
)
from bot.language.textfold import closest_unambiguous, strip_accents

T = TypeVar("T")
MONTHS = {
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
}  # fmt: skip
FUZZY_CUTOFF = 0.84  # below this, "Germny" still resolves but "Guinea" does not become "Ghana"


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation so 'Bragança', 'braganca' and 'BRAGANCA' meet
    (and 'Wrocław' and 'wroclaw': bot.language.textfold)."""
    text = strip_accents(text).lower()
    text = text.replace("’", "'").replace("'", "")
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


class NameIndex(Dict[str, T]):
    """folded label -> object, with an optional fuzzy fallback for typos."""

    def add(self, labels: Iterable[str], target: T) -> None:
        for label in labels:
            key = fold(label)
            if key:
                self.setdefault(key, target)

    def find(self, text: str | None, fuzzy: bool = True) -> T | None:
        if not text:
            return None
        key = fold(text)
        if key in self:
            return self[key]
        if fuzzy and len(key) >= 5:
            close = closest_unambiguous(key, list(self), lambda k: id(self[k]), FUZZY_CUTOFF)
            return self[close] if close else None
        return None


@dataclass(frozen=True)
class PartnerLink:
    """One way BEU is connected to a country, with the sentence that says so."""

    kind: str  # exchange | project | degree | agency
    label: str
    detail: str
    subject: str | None = None  # the project's acronym, for a project link


class KnowledgeIndex:
    """The knowledge base plus the world's countries, queried by name."""

    def __init__(self, kb: KnowledgeBase, countries: CountryList) -> None:
        self.kb = kb
        self.countries = {c.code: c for c in countries.countries}
        self.organisations = {o.id: o for o in kb.organisations}
        self.projects = {p.id: p for p in kb.projects}

    @cached_property
    def country_names(self) -> NameIndex[Country]:
        index: NameIndex[Country] = NameIndex()
        for country in self.countries.values():
            index.add([country.name, *country.aliases, *country.demonyms], country)
        for code, _language, name in names_by_language(self.countries):  # "Польша", "Polşa"
            if fold(name) not in index:
                index.add([name], self.countries[code])
        return index

    @cached_property
    def project_names(self) -> NameIndex[Project]:
        index: NameIndex[Project] = NameIndex()
        for project in self.kb.projects:
            index.add([project.acronym, project.name, project.id, *project.aliases], project)
        return index

    @cached_property
    def organisation_names(self) -> NameIndex[Organisation]:
        index: NameIndex[Organisation] = NameIndex()
        for org in self.kb.organisations:
            index.add([org.name, *org.aliases], org)
        return index

    @cached_property
    def scholarship_names(self) -> NameIndex[Scholarship]:
        index: NameIndex[Scholarship] = NameIndex()
        for scholarship in self.kb.scholarship_support.programmes:
            index.add([scholarship.name, *scholarship.aliases], scholarship)
        return index

    @cached_property
    def retired_names(self) -> NameIndex[RetiredFact]:
        """Names of retired projects and partners: still recognised, so a question about one
        gets "no current information" rather than "never heard of it"."""
        index: NameIndex[RetiredFact] = NameIndex()
        for retired in self.kb.retired:
            index.add([retired.name or "", *retired.aliases], retired)
        return index

    def retired(self, text: str | None) -> RetiredFact | None:
        """The retired fact `text` names, if it names no current one (look that up first)."""
        return self.retired_names.find(text)

    def country(self, text: str | None) -> Country | None:
        return self.country_names.find(text)

    def project(self, text: str | None) -> Project | None:
        return self.project_names.find(text)

    def organisation(self, text: str | None) -> Organisation | None:
        return self.organisation_names.find(text)

    def scholarship(self, text: str | None) -> Scholarship | None:
        return self.scholarship_names.find(text)

    def country_name(self, code: str) -> str:
        return self.countries[code].name

    def exchange(self, programme_id: str):
        return next(p for p in self.kb.exchange_programmes if p.id == programme_id)

    def exchange_countries(self) -> List[Tuple[str, List[str]]]:
        """(programme name, country codes named by any of its claims), in source order."""
        result = []
        for programme in self.kb.exchange_programmes:
            codes: List[str] = []
            for claim in programme.partner_claims:
                codes += [c for c in claim.countries if c not in codes]
            result.append((programme.name, codes))
        return result

    def partner_links(self, code: str) -> List[PartnerLink]:
        """Everything in the knowledge base that ties BEU to a partner in this country."""
        links = []
        for programme in self.kb.exchange_programmes:
            claims = [c for c in programme.partner_claims if code in c.countries]
            if claims:
                agree = len(claims) == len(programme.partner_claims)
                detail = (
                    _("listed as a partner country")
                    if agree
                    else _(
                        "listed in {n} of the page's {total} lists of partner countries",
                        n=number(len(claims)),
                        total=number(len(programme.partner_claims)),
                    )
                )
                only_here = [c for c in claims if c.countries == [code]]
                if agree and only_here:  # "5 universities from Turkey": the count is this country's
                    claim = only_here[0]
                    counted = count_phrase(claim.count, claim.qualifier, claim.unit)
                    detail = _("{partners} there", partners=counted)
                links.append(PartnerLink("exchange", programme.name, detail))
            elif named := self.exchange_universities(programme, code):
                # no list of the page names the country, but staff recorded a partner there
                detail = n_(
                    "{n} partner university there",
                    "{n} partner universities there",
                    len(named),
                    n=number(len(named)),
                )
                links.append(PartnerLink("exchange", programme.name, detail))
        dual = self.kb.programmes.dual_degree
        if self.organisations[dual.partner].country == code:
            links.append(
                PartnerLink(
                    "degree",
                    self._dual_degree_label(),
                    _("with {organisation}", organisation=self.organisations[dual.partner].name),
                )
            )
        for project in self.kb.projects:
            coordinator = self.organisations.get(project.coordinator or "")
            if coordinator and coordinator.country == code:
                links.append(
                    PartnerLink(
                        "project",
                        f"{project.acronym} ({project.programme})",
                        _("coordinated by {coordinator}", coordinator=coordinator.name),
                        project.acronym,
                    )
                )
            for org_id in project.involved:
                org = self.organisations[org_id]
                if org.country == code:
                    links.append(
                        PartnerLink(
                            "project",
                            f"{project.acronym} ({project.programme})",
                            _("{organisation} took part in its activities", organisation=org.name),
                            project.acronym,
                        )
                    )
            funder = self.organisations.get(project.funder or "")
            if funder and funder.country == code and not coordinator:
                links.append(
                    PartnerLink(
                        "project",
                        f"{project.acronym} ({project.programme})",
                        _("with {organisation}", organisation=funder.name),
                        project.acronym,
                    )
                )
        return links

    def exchange_universities(self, programme: Any, code: str | None = None) -> List[Organisation]:
        """The partner universities staff recorded for an exchange programme (in one country)."""
        orgs = [self.organisations[org_id] for org_id in programme.universities]
        return [org for org in orgs if code is None or org.country == code]

    def organisation_links(self, org_id: str) -> List[PartnerLink]:
        """How BEU works with one organisation: exchange, projects, the dual degree."""
        links = []
        for programme in self.kb.exchange_programmes:
            if org_id in programme.universities:
                links.append(PartnerLink("exchange", programme.name, _("partner university")))
        dual = self.kb.programmes.dual_degree
        if dual.partner == org_id:
            links.append(PartnerLink("degree", self._dual_degree_label(), _("partner")))
        for project in self.kb.projects:
            label = f"{project.acronym} ({project.programme})"
            if project.coordinator == org_id:
                links.append(PartnerLink("project", label, _("coordinator"), project.acronym))
            elif project.funder == org_id:
                detail = _("runs it with BEU")
                links.append(PartnerLink("project", label, detail, project.acronym))
            elif org_id in project.involved:
                detail = _("took part in its activities")
                links.append(PartnerLink("project", label, detail, project.acronym))
        return links

    def _dual_degree_label(self) -> str:
        dual = self.kb.programmes.dual_degree
        return _(
            "dual {level} degree in {field}",
            level=fact_text(dual.level),
            field=fact_text(dual.field),
        )

    def project_partner_countries(self) -> List[str]:
        """Countries of the universities that coordinate or took part in BEU's projects."""
        codes: List[str] = []
        for project in self.kb.projects:
            for org_id in [project.coordinator, *project.involved]:
                org = self.organisations.get(org_id or "")
                if org and org.kind == "university" and org.country not in codes:
                    codes.append(org.country)
        return codes

    @cached_property
    def _project_words(self) -> Dict[str, str]:
        """Names and titles (capitalised words: Tbilisi, India, "Winter School") in a project's
        events, outcomes and places that no other project shares. Month names don't count:
        "classes in September" is not about a meeting held in September."""
        owners: Dict[str, set] = {}
        for project in self.kb.projects:
            texts = [s.text for s in (*project.events, *project.outcomes)]
            texts += [s.place or "" for s in project.events]
            for name in re.findall(r"\b[A-Z][\w'-]+", " ".join(texts)):
                word = fold(name)
                if len(word) >= 4 and word not in MONTHS:
                    owners.setdefault(word, set()).add(project.id)
        return {w: next(iter(ids)) for w, ids in owners.items() if len(ids) == 1}

    def project_for_text(self, text: str | None) -> Project | None:
        """The one project whose events the text refers to ("the winter school in India"), if
        its distinctive words point to exactly one project."""
        hits = {
            self._project_words[w] for w in fold(text or "").split() if w in self._project_words
        }
        return self.projects[hits.pop()] if len(hits) == 1 else None
