"""What a message asserts about the university: one reader per kind of claim (a project's
coordinator or period, a count, a programme's partners, the dual degree, the student body, a
partner), each turning an asserting sentence into a `Claim` a premise check can compare with the
knowledge base.

Only sentences that assert or presuppose something are read (bot/understanding/mood.py), and
names come from the knowledge base's own tables (bot/understanding/mentions.py), so nothing here
names a fact. The word lists are English, not university facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Dict, List, Sequence, Tuple

from bot.answers.base import knowledge
from bot.kb.index import fold
from bot.kb.schema import Country, ExchangeProgramme, Organisation, Project
from bot.understanding.mentions import name_table
from bot.understanding.mood import TAG_QUESTION, Sentence, is_negated, read_sentences, strip_openers

PARTNER_WORDS = re.compile(
    r"\b(?:partner\w*|cooperat\w*|co operat\w*|collaborat\w*|work(?:s|ing)? with|"
    r"agreements? with|exchange with|ties with|links with)\b"
)
COORDINATOR_VERB = re.compile(
    r"\b(?:coordinat\w*|lead|leads|leading|led|leader|run|runs|running|ran|head|heads|headed|"
    r"heading|in charge|manage|manages|managed|managing|organis\w*|organiz\w*)\b"
)
UNKNOWN_COORDINATOR = re.compile(
    r"\b(?:coordinated|led|run|managed|headed|organi[sz]ed) by (?:the )?"
    r"(?P<after>[A-Z][\w'&.-]*(?: (?:of|de|du|the|for|and|[A-Z][\w'&.-]*))*)"
    r"|(?P<before>[A-Z][\w'&.-]*(?: (?:of|de|du|the|for|and|[A-Z][\w'&.-]*))*)"
    r" (?:coordinates|leads|runs|heads|manages|is in charge of|was in charge of|"
    r"coordinated|led|ran|is the coordinator of|was the coordinator of)\b"
)
UNKNOWN_PARTNER = re.compile(
    r"\b(?:partner(?:s|ed)? with|cooperat\w* with|collaborat\w* with|work(?:s|ing)? with|"
    r"agreements? with|exchange with|partner(?:s)? (?:in \w+ )?is) (?:the )?"
    r"(?P<after>[A-Z][\w'&.-]*(?: (?:of|de|du|the|for|and|in|[A-Z][\w'&.-]*))*)"
    r"|(?P<before>[A-Z][\w'&.-]*(?: (?:of|de|du|the|for|and|[A-Z][\w'&.-]*))*)"
    r" (?:is|are) (?:one of )?(?:your|beu'?s) partners?\b"
)
START_WORDS = re.compile(r"\b(?:start\w*|began|begin\w*|launch\w*|since|from)\b")
END_WORDS = re.compile(
    r"\b(?:finish\w*|end|ends|ended|ending|until|till|over|complet\w*|closed?|to|through)\b"
)
PERIOD_WORDS = re.compile(
    r"\b(?:start\w*|began|begin\w*|launch\w*|since|finish\w*|end|ends|ended|until|till|"
    r"complet\w*|run|runs|running|ran|covers?|lasts?|lasted|from|over|active|going)\b"
)
DURATION = re.compile(r"\b(\d{1,2}) years?\b")
DUAL_DEGREE = re.compile(
    r"\b(?:dual|double|joint)(?: \w+){0,2} (?:degree|degrees|masters|master)\b"
)
LEVEL_WORDS = {
    "bachelor": "bachelor",
    "bachelors": "bachelor",
    "undergraduate": "bachelor",
    "master": "master",
    "masters": "master",
    "phd": "phd",
    "doctoral": "phd",
    "doctorate": "phd",
}
RATE = re.compile(
    r"\b(?:every|each|per|a) (?:semester|year|term|month|academic year)\b|\b(?:yearly|annually)\b"
)
APPROXIMATE = re.compile(r"\b(?:about|around|roughly|approximately|nearly|almost|some|approx)$")
MORE_THAN = re.compile(r"\b(?:more than|over|above|at least)$")
UNITS: Dict[str, Tuple[str, ...]] = {
    # subject -> words of the counted thing
    "students": ("students", "student", "learners"),
    "staff": ("staff", "employees", "employee", "lecturers", "teachers", "members"),
    "countries": ("countries", "nations", "nationalities"),
    "specialties": (
        "specialties", "specialities", "specialty", "programmes", "programs", "majors",
        "courses", "degrees", "subjects", "bachelors", "specializations", "specialisations",
    ),
    "partners": ("universities", "partners", "institutions", "schools", "partner", "unis"),
    "projects": ("projects", "project"),
}  # fmt: skip
TIME_UNITS = {"year", "years", "month", "months", "semester", "semesters", "week", "weeks", "day",
              "days"}  # fmt: skip
MOBILITY_WORDS = re.compile(
    r"\b(?:exchange|exchanges|abroad|mobility|went|gone|go|goes|sent|send|sends|travel\w*|"
    r"participat\w*|involved|took part|taken part|outgoing|internships?|trained)\b"
)
ENGLISH_WORDS = re.compile(r"\benglish\b")
# A count of students is a claim about BEU only with BEU as its subject: "we are 3 students
# from Egypt" is about the writer.
ABOUT_BEU = re.compile(
    r"\b(?:you|your|youve|beu|bmu|beus|bmus|there (?:are|were|is)|the university|has|have|had)\b"
)
FIRST_PERSON = re.compile(r"\b(?:we|i|im|our|my)\b(?: \w+){0,2} \d")
STUDENT_BODY = re.compile(r"\b(?:you have|there are|there is|you got|study|studying|at beu|your)\b")


@dataclass(frozen=True)
class Claim:
    """One checkable assertion. Fields not involved in the claim stay None."""

    kind: str  # coordinator | period | count | programme | dual_degree | students | partner
    project: Project | None = None
    organisation: Organisation | None = None
    country: Country | None = None
    programme: ExchangeProgramme | None = None
    countries: Tuple[Country, ...] = ()  # every country the claim names, when several
    unknown_name: str | None = None  # an organisation the knowledge base doesn't know
    by_university: bool = False  # "BEU coordinates it"
    start: int | None = None
    end: int | None = None
    years: int | None = None
    number: int | None = None
    subject: str | None = None  # what a count counts: a key of UNITS
    approximate: bool = False
    more_than: bool = False
    rate: str | None = None  # "every semester": the student's words
    group: str | None = None  # a project group's programme ("... KA2 projects")
    field_name: str | None = None
    level: str | None = None
    negated: bool = False  # "you don't have partners in Japan, right?"


# ----- one reader per kind of claim -------------------------------------------------------------


def _project(sentence: Sentence) -> Project | None:
    projects = {id(m.target): m.target for m in sentence.of("project")}
    if len(projects) == 1:
        return next(iter(projects.values()))
    if not projects and re.search(r"\b(?:it|its|the project|this project)\b", sentence.folded):
        return sentence.context_project
    return None


def coordinator_claim(sentence: Sentence) -> Claim | None:
    project = _project(sentence)
    verb = COORDINATOR_VERB.search(sentence.folded)
    if not (project and verb and sentence.asserting):
        return None
    asks_who = re.match(r"^(?:who|which|what)\b", " ".join(strip_openers(sentence.folded.split())))
    if asks_who and not TAG_QUESTION.search(sentence.text):
        return None  # "who coordinates NIZAMI?" asks, it doesn't claim
    position = len(sentence.folded[: verb.start()].split())
    orgs = [m for m in sentence.of("organisation") if m.target is not project]
    if orgs:
        nearest = min(orgs, key=lambda m: min(abs(m.start - position), abs(m.end - position)))
        return Claim("coordinator", project=project, organisation=nearest.target)
    if sentence.of("university") and not re.search(
        r"\bbeu (?:is|as) (?:a )?partner", sentence.folded
    ):
        return Claim("coordinator", project=project, by_university=True)
    countries = sentence.of("country")
    for mention in countries:  # "a German university leads it", "a Swedish-led project"
        after = sentence.tokens[mention.end : mention.end + 1]
        if after in (["led"], ["coordinated"], ["run"]) or re.search(
            r"\b(?:university|universities|uni|institution)\b", sentence.folded
        ):
            return Claim("coordinator", project=project, country=mention.target)
    unknown = UNKNOWN_COORDINATOR.search(sentence.text)
    if unknown:
        name = _unknown_name(unknown)
        if fold(name) in {"the university", "university", "the uni", "your university"}:
            return Claim("coordinator", project=project, by_university=True)
        country = knowledge().country_names.find(name, fuzzy=False)
        if country is not None:  # "coordinated by Italy"
            return Claim("coordinator", project=project, country=country)
        if name and knowledge().project(name) is None and fold(name) not in _PRONOUNS:
            return Claim("coordinator", project=project, unknown_name=name)
    return None


MAX_NAME_WORDS = 8  # a longer capitalised run is a title or shouting, not a university's name


def _unknown_name(match: re.Match) -> str:
    name = (match.group("after") or match.group("before") or "").strip(" .")
    return name if 0 < len(name.split()) <= MAX_NAME_WORDS else ""


_PRONOUNS = {"it", "they", "he", "she", "we", "i", "you", "this", "that", "who", "which"}


def period_claim(sentence: Sentence) -> Claim | None:
    project = _project(sentence)
    if not (project and sentence.asserting):
        return None
    folded = sentence.folded
    years = [(i, n) for i, n in sentence.numbers() if 1990 <= n <= 2100]
    duration = DURATION.search(folded)
    if not years and duration and not RATE.search(folded):
        return Claim("period", project=project, years=int(duration.group(1)))
    if not years or not PERIOD_WORDS.search(folded):
        return None
    if len(years) >= 2:
        return Claim("period", project=project, start=years[0][1], end=years[1][1])
    position, year = years[0]
    before = " ".join(sentence.tokens[max(0, position - 4) : position])
    if END_WORDS.search(before) and not START_WORDS.search(before.split()[-1] if before else ""):
        return Claim("period", project=project, end=year)
    if START_WORDS.search(before):
        return Claim("period", project=project, start=year)
    if END_WORDS.search(folded):
        return Claim("period", project=project, end=year)
    if START_WORDS.search(folded):
        return Claim("period", project=project, start=year)
    return None


def _counted(sentence: Sentence) -> Tuple[int, int, str] | None:
    """(position, number, subject) of the first number followed, within three words, by a
    counted noun ("30 BEU students", "5 Erasmus+ KA2 projects")."""
    for position, number in sentence.numbers():
        if 1990 <= number <= 2100:
            continue
        following = sentence.tokens[position + 1 : position + 5]
        for word in following:
            if word in TIME_UNITS:
                break  # "a 5-year project" is a length, not a count of projects
            subject = next((s for s, words in UNITS.items() if word in words), None)
            if subject:
                return position, number, subject
    return None


def count_claim(sentence: Sentence) -> Claim | None:
    if not sentence.asserting:
        return None
    counted = _counted(sentence)
    if counted is None:
        return None
    position, number, subject = counted
    folded = sentence.folded
    before = " ".join(sentence.tokens[max(0, position - 3) : position])
    approximate = bool(APPROXIMATE.search(before))
    more_than = bool(MORE_THAN.search(before))
    rate = RATE.search(" ".join(sentence.tokens[position:]))
    common = {"number": number, "approximate": approximate, "more_than": more_than}
    if rate:
        common["rate"] = rate.group()
    programme = sentence.first("programme")
    groups = sentence.of("group")
    country = sentence.first("country")
    if subject == "projects" or (groups and subject == "partners" and not programme):
        group = groups[0].target if groups else None
        return Claim("count", subject="projects", group=group, **common)
    if subject == "specialties" and ENGLISH_WORDS.search(folded):
        return Claim("count", subject="specialties", **common)
    if subject == "partners":
        if programme:
            return Claim(
                "programme", programme=programme, country=country, subject="partners", **common
            )
        if PARTNER_WORDS.search(folded) or re.search(r"\bpartner", folded):
            return Claim("count", subject="partners", country=country, **common)
        return None
    if subject == "staff" and MOBILITY_WORDS.search(folded):
        return Claim("count", subject="staff", **common)
    if FIRST_PERSON.search(folded):
        return None
    about_beu = ABOUT_BEU.search(folded)
    if subject == "students" and (MOBILITY_WORDS.search(folded) or rate):
        return Claim("count", subject="mobility", **common)
    if subject == "students" and about_beu:
        return Claim("count", subject="students", **common)
    if subject == "countries" and about_beu and re.search(r"\bstudents?\b", folded):
        return Claim("count", subject="countries", **common)
    return None


INSTITUTIONS = {"universities", "university", "unis", "uni", "partners", "partner", "institutions",
                "schools", "colleges"}  # fmt: skip
LOCATING = {"in", "from", "with", "include", "includes", "included", "including", "covers", "cover"}


def partner_countries(sentence: Sentence) -> List[Country]:
    """Countries named as where partners are: "Dutch partner universities", "partners in Spain",
    "includes France"; not "my Turkish friend" or "I teach at a university in Poland"."""
    if re.search(r"\b(?:i|we) (?:teach|work|study|studied|live)\b", sentence.folded):
        return []  # the writer's own place
    found: List[Country] = []
    mentions = sentence.of("country")
    for mention in mentions:
        after = sentence.tokens[mention.end : mention.end + 2]
        before = sentence.tokens[max(0, mention.start - 3) : mention.start]
        located = bool(before) and before[-1] in LOCATING
        if located and before[-1] == "from":  # "universities from Italy", not "students from"
            located = len(before) >= 2 and before[-2] in INSTITUTIONS
        if (after[:1] and after[0] in INSTITUTIONS) or located:
            found.append(mention.target)
    for number, mention in enumerate(mentions):  # "in Turkey and Azerbaijan": both are located
        previous = mentions[number - 1] if number else None
        joined = sentence.tokens[previous.end : mention.start] if previous else []
        chained = previous and previous.target in found and joined in (["and"], ["or"], [])
        if chained and mention.target not in found:
            found.append(mention.target)
    return found


def programme_claim(sentence: Sentence) -> Claim | None:
    programme = sentence.first("programme")
    countries = partner_countries(sentence)
    if not (programme and countries and (sentence.asserting or sentence.presupposing)):
        return None
    return Claim("programme", programme=programme, country=countries[0], countries=tuple(countries))


def dual_degree_claim(sentence: Sentence) -> Claim | None:
    if not (sentence.asserting and DUAL_DEGREE.search(sentence.folded)):
        return None
    index = knowledge()
    programmes = index.kb.programmes
    fields = [*programmes.popular_departments.items, programmes.dual_degree.field]
    field_name = next((f for f in fields if re.search(rf"\b{fold(f)}\b", sentence.folded)), None)
    level = next(
        (v for w, v in LEVEL_WORDS.items() if re.search(rf"\b{w}\b", sentence.folded)), None
    )
    claim = Claim(
        "dual_degree",
        organisation=sentence.first("organisation"),
        country=sentence.first("country"),
        field_name=field_name,
        level=level,
    )
    if claim.organisation or claim.country or claim.field_name:
        return claim
    # the level alone is a claim only when it is the whole point: "the dual degree is a bachelor's"
    if level and re.search(r"\b(?:is|was) (?:a|an)\b", sentence.folded):
        return claim
    return None


def students_claim(sentence: Sentence) -> Claim | None:
    if not sentence.asserting:
        return None
    folded = sentence.folded
    if not STUDENT_BODY.search(folded):
        return None
    for mention in sentence.of("country"):
        after = sentence.tokens[mention.end : mention.end + 1]
        before = sentence.tokens[max(0, mention.start - 4) : mention.start]
        demonym_students = after[:1] == ["students"]  # "a Chinese student" is the writer
        from_country = before[-1:] == ["from"] and "students" in before[:-1]
        if demonym_students or from_country:
            return Claim("students", country=mention.target)
    return None


def partner_claim(sentence: Sentence) -> Claim | None:
    folded = sentence.folded
    if not (sentence.asserting or sentence.presupposing) or not PARTNER_WORDS.search(folded):
        return None
    if sentence.of("project"):
        return None  # "Heidelberg worked with BEU on NIZAMI" is about the project, not a partner
    orgs = sentence.of("organisation")
    if orgs:
        return Claim("partner", organisation=orgs[0].target)
    unknown = UNKNOWN_PARTNER.search(sentence.text)
    name = _unknown_name(unknown) if unknown else ""
    countries = partner_countries(sentence)
    if name and fold(name) not in _PRONOUNS and not _is_country_or_known(name):
        country = countries[0] if countries else None
        return Claim("partner", unknown_name=name, country=country)
    about_beu = re.search(r"\b(?:you|your|beu|bmu|youve|youre)\b", folded) and not re.search(
        r"\bwith (?:you|beu|bmu|your university)\b", folded
    )
    if countries and (about_beu or sentence.presupposing):
        return Claim("partner", country=countries[0])
    return None


def _is_country_or_known(name: str) -> bool:
    table, _, _ = name_table()
    key = fold(name)
    return key in table and table[key][0] in {"country", "programme", "university"}


READERS = (
    coordinator_claim,
    period_claim,
    dual_degree_claim,
    count_claim,
    programme_claim,
    students_claim,
    partner_claim,
)


MAX_CLAIMS = 3  # a message claiming more is answered on its first three claims


def find_claims(text: str, entities: Sequence[dict] = ()) -> List[Claim]:
    """Every distinct claim the message asserts or presupposes, in order (at most MAX_CLAIMS):
    "NIZAMI was led by Heidelberg and ended in 2019, right?" makes two."""
    found: List[Claim] = []
    seen = set()
    for sentence in read_sentences(text, entities):
        if not (sentence.asserting or sentence.presupposing):
            continue
        involved: set = set()  # what this sentence's claims are about already
        for reader in READERS:
            claim = reader(sentence)
            if claim is None or _key(claim) in seen or _overlaps(claim, involved, found):
                continue
            if is_negated(sentence):
                claim = replace(claim, negated=True)
            seen.add(_key(claim))
            involved |= _involved(claim)
            found.append(claim)
            if len(found) == MAX_CLAIMS:
                return found
    return found


def _involved(claim: Claim) -> set:
    things = [claim.project, claim.programme, claim.organisation]
    found = {id(t) for t in things if t is not None}
    found |= {c.code for c in (claim.country, *claim.countries) if c is not None}
    return found | ({claim.unknown_name} if claim.unknown_name else set())


def _overlaps(claim: Claim, involved: set, earlier: List[Claim]) -> bool:
    """A second reading of something a claim of the same sentence already covers ("10 partner
    universities in Germany" is one count claim, not also a partner claim); a project's
    coordinator and its period are two claims ("led by X and ended in 2019")."""
    shared = _involved(claim) & involved
    if not shared:
        return False
    project_facts = {"coordinator", "period"}
    last = earlier[-1] if earlier else None
    return not (
        last is not None
        and {claim.kind, last.kind} == project_facts
        and shared == {id(claim.project)}
    )


def find_claim(text: str, entities: Sequence[dict] = ()) -> Claim | None:
    """The first claim the message asserts or presupposes, or None."""
    claims = find_claims(text, entities)
    return claims[0] if claims else None


def _key(claim: Claim) -> tuple:
    """What a claim is about: two readers seeing the same programme's partners in one sentence
    ("Mevlana is with 5 universities in Turkey") make one claim."""
    about = claim.project or claim.programme or claim.organisation
    if about is not None:
        return (claim.kind, id(about))
    code = claim.country.code if claim.country else None
    return (claim.kind, claim.subject, claim.unknown_name, code)
