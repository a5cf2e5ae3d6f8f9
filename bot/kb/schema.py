"""Schema of knowledge/kb.yml.

Every model that claims something about the university derives from `Cited`: it must carry at
least one quote of the source, so a fact cannot enter the knowledge base without its evidence.
Unknown keys are rejected, so a misspelt field is an error rather than a silently ignored fact.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Dict, List, Literal

from pydantic import BaseModel, Extra, Field, root_validator, validator

AS_OF_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Cited(Strict):
    """A fact: its quote(s) from the source, and optionally when it held and when to re-check it."""

    quote: List[str] = Field(..., description="exact sentence(s) of the source the fact comes from")
    source: str | None = Field(None, description="source file; defaults to the document's")
    as_of: str | None = None
    review_by: dt.date | None = None

    @validator("quote", pre=True)
    def _one_or_many(cls, value: object) -> object:
        if isinstance(value, str):
            return [value]
        return value

    @validator("quote")
    def _non_empty(cls, value: List[str]) -> List[str]:
        if not value or any(not q.strip() for q in value):
            raise ValueError("a fact needs at least one non-empty quote of the source")
        return value

    @validator("as_of")
    def _as_of_format(cls, value: str | None) -> str | None:
        if value is not None and not AS_OF_PATTERN.match(value):
            raise ValueError("as_of must look like YYYY, YYYY-MM or YYYY-MM-DD")
        return value


class Statement(Cited):
    """A fact best told in words (a mission item, an aim, an event)."""

    text: str = Field(..., min_length=3)
    date: str | None = None
    place: str | None = None


class ItemList(Cited):
    items: List[str] = Field(..., min_items=1)


class Count(Cited):
    count: int = Field(..., ge=0)
    qualifier: Literal["exactly", "more_than"] = "exactly"
    text: str


class Named(Strict):
    name: str = Field(..., min_length=1)
    aliases: List[str] = []


class University(Cited, Named):
    id: str
    country: str


class Organisation(Cited, Named):
    id: str = Field(..., regex=r"^[a-z0-9_]+$")
    country: str
    kind: Literal["university", "agency", "government"]


class Document(Strict):
    file: str
    title: str
    as_of: str
    review_by: dt.date | None = None
    # Where students can read the source themselves; answers link to it.
    url: str | None = None

    @validator("url")
    def _url_is_web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", value):
            raise ValueError("url must be an http(s) address, such as https://example.org/page")
        return value

    @validator("as_of")
    def _as_of_format(cls, value: str) -> str:
        if not AS_OF_PATTERN.match(value):
            raise ValueError("as_of must look like YYYY, YYYY-MM or YYYY-MM-DD")
        return value


class NonFactual(Strict):
    text: str
    why: str


class ViceRectorate(Strict):
    name: str
    purpose: Statement
    mission: List[Statement] = Field(..., min_items=1)


class Department(Strict):
    name: str
    reports_to: Statement
    responsibilities: List[Statement] = Field(..., min_items=1)
    deals_with: ItemList


class Contacts(Strict):
    """Filled in by staff; empty means unknown, and the assistant says so."""

    emails: List[str] = []
    phone: str | None = None
    website: str | None = None
    # How soon staff answer a conversation handed to them, as the office states it ("within two
    # working days"); told to a student who asks for a person. Empty: no promise is made.
    handoff_reply_time: str | None = None
    hidden_on_page: Statement | None = None

    @validator("emails", each_item=True)
    def _email_shape(cls, value: str) -> str:
        if not re.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", value, re.I):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @validator("website")
    def _url_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class Office(Strict):
    vice_rectorate: ViceRectorate
    department: Department
    contacts: Contacts


class Cooperation(Strict):
    overview: Statement
    includes: ItemList


class CountPart(Strict):
    count: int = Field(..., ge=0)
    label: str


class PartnerClaim(Cited):
    """One statement of the source about how many partners, and where."""

    count: int = Field(..., ge=0)
    qualifier: Literal["exactly", "more_than"] = "exactly"
    unit: str
    countries: List[str] = []
    breakdown: List[CountPart] = []

    @root_validator(skip_on_failure=True)
    def _breakdown_adds_up(cls, values: Dict) -> Dict:
        parts = values.get("breakdown") or []
        if parts and sum(p.count for p in parts) != values["count"]:
            raise ValueError("breakdown counts must add up to count")
        return values


class ExchangeProgramme(Named):
    id: str = Field(..., regex=r"^[a-z0-9_]+$")
    partner_claims: List[PartnerClaim] = Field(..., min_items=1)
    # Partner universities by organisation id, once staff know them; the page names none, and
    # the assistant says so while this is empty.
    universities: List[str] = []


class Mobility(Strict):
    students: Count
    staff: Count


class DualDegree(Cited):
    level: str
    field: str
    partner: str
    framework: str
    text: str


class EnglishTaught(Count):
    specialties: List[str] = []  # the page gives only the count; empty means "not listed"


class Programmes(Strict):
    english_taught: EnglishTaught
    popular_departments: ItemList
    dual_degree: DualDegree


class ProjectGroup(Cited):
    programme: str
    text: str
    count: int


class Period(Cited):
    start: int = Field(..., ge=1990, le=2100)
    end: int = Field(..., ge=1990, le=2100)
    years: int | None = None

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values: Dict) -> Dict:
        if values["end"] < values["start"]:
            raise ValueError("period end is before its start")
        return values


class Project(Cited, Named):
    id: str = Field(..., regex=r"^[a-z0-9_]+$")
    acronym: str
    programme: str
    role: Literal["partner", "participant", "host", "winner", "coordinator"]
    coordinator: str | None = None
    funder: str | None = None
    involved: List[str] = Field([], description="organisations that took part in its activities")
    period: Period | None = None
    members: Statement | None = None
    aims: List[Statement] = []
    events: List[Statement] = []
    outcomes: List[Statement] = []
    status: Statement | None = None


class InternationalStudents(Cited):
    count: int = Field(..., ge=0)
    country_count: int = Field(..., ge=0)
    countries: List[str]

    @root_validator(skip_on_failure=True)
    def _countries_match_count(cls, values: Dict) -> Dict:
        if len(values["countries"]) != values["country_count"]:
            raise ValueError(
                f"country_count is {values['country_count']} but {len(values['countries'])} "
                "countries are listed"
            )
        return values


class Scholarship(Named):
    pass


class ScholarshipSupport(Cited):
    text: str
    programmes: List[Scholarship] = Field(..., min_items=1)


class KnowledgeBase(Strict):
    document: Document
    non_factual: List[NonFactual] = []
    university: University
    organisations: List[Organisation]
    office: Office
    cooperation: Cooperation
    exchange_programmes: List[ExchangeProgramme]
    mobility: Mobility
    programmes: Programmes
    project_groups: List[ProjectGroup] = []
    projects: List[Project]
    international_students: InternationalStudents
    scholarship_support: ScholarshipSupport

    @root_validator(skip_on_failure=True)
    def _references_resolve(cls, values: Dict) -> Dict:
        org_ids = [o.id for o in values["organisations"]]
        duplicated = {i for i in org_ids if org_ids.count(i) > 1}
        if duplicated:
            raise ValueError(f"duplicate organisation ids: {sorted(duplicated)}")
        known = set(org_ids)
        for project in values["projects"]:
            for ref in (project.coordinator, project.funder, *project.involved):
                if ref is not None and ref not in known:
                    raise ValueError(f"project {project.id}: unknown organisation {ref!r}")
        for programme in values["exchange_programmes"]:
            for ref in programme.universities:
                if ref not in known:
                    raise ValueError(f"exchange {programme.id}: unknown organisation {ref!r}")
        partner = values["programmes"].dual_degree.partner
        if partner not in known:
            raise ValueError(f"dual_degree: unknown organisation {partner!r}")
        project_ids = [p.id for p in values["projects"]]
        if len(set(project_ids)) != len(project_ids):
            raise ValueError("duplicate project ids")
        return values


class Country(Strict):
    code: str = Field(..., regex=r"^[A-Z]{2}$")
    name: str
    aliases: List[str] = []
    demonyms: List[str] = []
    case_sensitive: List[str] = []


class CountryList(Strict):
    countries: List[Country]

    @validator("countries")
    def _unique(cls, value: List[Country]) -> List[Country]:
        seen: Dict[str, str] = {}
        for country in value:
            for label in [country.code, country.name, *country.aliases, *country.demonyms]:
                key = label.lower()
                if key in seen and seen[key] != country.code:
                    raise ValueError(f"{label!r} names both {seen[key]} and {country.code}")
                seen[key] = country.code
        return value
