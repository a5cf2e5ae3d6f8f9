"""Schema of knowledge/kb.yml.

Every model that claims something about the university derives from `Cited`: it must carry at
least one quote of the source, so a fact cannot enter the knowledge base without its evidence.
Unknown keys are rejected, so a misspelt field is an error rather than a silently ignored fact.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Dict, List, Literal, Tuple, Union

from pydantic import BaseModel, Extra, Field, root_validator, validator

AS_OF_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class StaffConfirmation(Strict):
    """A fact staff vouch for without a quote (an e-mail from the partner office, a phone call):
    who, when and on what grounds, so the provenance is never lost."""

    by: str = Field(..., min_length=1)
    date: dt.date
    note: str = Field(..., min_length=3)

    @validator("by", "note")
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("may not be blank")
        return value.strip()


PROVENANCE_REQUIRED = "provenance: quote a source version, or staff confirmation"


class Cited(Strict):
    """A fact: its evidence (quote(s) of a source version, or a staff confirmation), and
    optionally when it held and when to re-check it."""

    # Declared before `quote` so the provenance rule (on `quote`) sees it.
    confirmed: StaffConfirmation | None = None
    quote: List[str] = Field(..., description="exact sentence(s) of the source the fact comes from")
    source: str | None = Field(None, description="source version file; defaults to the document's")
    as_of: str | None = None
    review_by: dt.date | None = None
    owner: str | None = Field(None, description="who re-checks the fact when review_by comes")

    @root_validator(pre=True)
    def _quote_optional_when_confirmed(cls, values: Dict) -> Dict:
        # A confirmed fact needs no quote. Without either, `quote` is reported missing (and an
        # invalid confirmation is reported alone, under `confirmed`).
        if not isinstance(values, dict):
            return values
        if values.get("confirmed") is not None:
            return {"quote": [], **values}
        if values.get("quote") in ([], "", None):
            return {k: v for k, v in values.items() if k != "quote"}
        return values

    @validator("quote", pre=True)
    def _one_or_many(cls, value: object) -> object:
        if isinstance(value, str):
            return [value]
        return value

    @validator("quote")
    def _non_empty(cls, value: List[str], values: Dict) -> List[str]:
        if any(not q.strip() for q in value):
            raise ValueError("a quote is empty")
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


CONTACT_FIELDS = ("emails", "phone", "website", "address", "opening_hours", "handoff_reply_time")


class Contacts(Cited):
    """The office's contacts, filled in by staff; empty means unknown, and the assistant says so.

    The page hides them, so they are vouched for by staff: once any contact is filled,
    `confirmed` (who, when, from where) is required.
    """

    quote: List[str] = []
    emails: List[str] = []
    phone: str | None = None
    website: str | None = None
    address: str | None = None
    opening_hours: str | None = None
    # How soon staff answer a conversation handed to them, as the office states it ("within two
    # working days"); told to a student who asks for a person. Empty: no promise is made.
    handoff_reply_time: str | None = None
    hidden_on_page: Statement | None = None

    @root_validator(pre=True)
    def _quote_optional_when_confirmed(cls, values: Dict) -> Dict:
        if isinstance(values, dict):
            values = {"quote": [], **values}
        return values

    @validator("quote")
    def _non_empty(cls, value: List[str], values: Dict) -> List[str]:
        if any(not q.strip() for q in value):
            raise ValueError("a quote is empty")
        return value

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

    @validator("phone", "address", "opening_hours", "handoff_reply_time")
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if isinstance(value, str) else value

    def filled(self) -> bool:
        """True when staff gave at least one way to reach the office."""
        return any(getattr(self, name) for name in CONTACT_FIELDS)

    @root_validator(skip_on_failure=True)
    def _confirmed_once_filled(cls, values: Dict) -> Dict:
        if any(values.get(name) for name in CONTACT_FIELDS) and values.get("confirmed") is None:
            raise ValueError(
                "contacts need a staff confirmation (who, date, note) once any is filled"
            )
        return values


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


class RetiredFact(Strict):
    """A list item staff retired: no longer answered, but its name is still recognised, so a
    question about it gets "no current information" with who to ask, and its last content is
    kept (`snapshot`) for history and for bringing it back."""

    path: str
    kind: str  # the model class name: Organisation, Project, Statement, ...
    name: str | None = None
    aliases: List[str] = []
    snapshot: Dict
    by: str = Field(..., min_length=1)
    date: dt.date
    reason: str = Field(..., min_length=3)


Location = Tuple[Union[str, int], ...]


class LocatedProblems(ValueError):
    """Several problems found by one validator, each with its location below the model, so the
    admin can show a dangling reference next to the very field that holds it."""

    def __init__(self, problems: List[Tuple[Location, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


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
    retired: List[RetiredFact] = []

    @root_validator(skip_on_failure=True)
    def _references_resolve(cls, values: Dict) -> Dict:
        problems: List[Tuple[Location, str]] = []
        org_ids = [o.id for o in values["organisations"]]
        for index, org_id in enumerate(org_ids):
            if org_ids.index(org_id) != index:
                problems.append(
                    (("organisations", index, "id"), f"duplicate organisation id {org_id!r}")
                )
        known = set(org_ids)
        for p_index, project in enumerate(values["projects"]):
            refs: List[Tuple[Location, str | None]] = [
                (("coordinator",), project.coordinator),
                (("funder",), project.funder),
            ]
            refs += [(("involved", i), ref) for i, ref in enumerate(project.involved)]
            for where, ref in refs:
                if ref is not None and ref not in known:
                    problems.append(
                        (
                            ("projects", p_index, *where),
                            f"project {project.id}: unknown organisation {ref!r}",
                        )
                    )
        for e_index, programme in enumerate(values["exchange_programmes"]):
            for u_index, ref in enumerate(programme.universities):
                if ref not in known:
                    problems.append(
                        (
                            ("exchange_programmes", e_index, "universities", u_index),
                            f"exchange {programme.id}: unknown organisation {ref!r}",
                        )
                    )
        partner = values["programmes"].dual_degree.partner
        if partner not in known:
            problems.append(
                (
                    ("programmes", "dual_degree", "partner"),
                    f"dual_degree: unknown organisation {partner!r}",
                )
            )
        project_ids = [p.id for p in values["projects"]]
        for index, project_id in enumerate(project_ids):
            if project_ids.index(project_id) != index:
                problems.append((("projects", index, "id"), f"duplicate project id {project_id!r}"))
        if problems:
            raise LocatedProblems(problems)
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
