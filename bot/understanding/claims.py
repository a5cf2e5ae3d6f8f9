"""What a message asserts about the university: the claims a premise check compares with the KB.

Precision first: a claim is read only from a sentence that asserts something (a statement, a
tag question such as "..., right?", a preface such as "I heard that" or "is it true that", a
"since ..." clause) or that presupposes partners ("which of your Dutch partners ..."). A plain
question ("who coordinates NIZAMI?", "do you have partners in Poland?") yields no claim, so the
normal answer keeps it.

Names are found with the knowledge base's own name indices (bot/kb/index.py: projects,
organisations and their aliases, countries with demonyms), so nothing here names a fact. The
word lists below are English, not university facts; they are tables so other languages can be
added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Dict, List, Sequence, Tuple

from bot.answers.base import knowledge
from bot.kb.index import KnowledgeIndex, fold
from bot.kb.schema import Country, ExchangeProgramme, Organisation, Project
from bot.language.textfold import closest_unambiguous

MAX_CHARS = 2000  # longer messages are read up to here: the check stays bounded
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

TAG_QUESTION = re.compile(
    r"(?:^|[,\s])(?:right|correct|yes|yeah|yep|true|innit|is that (?:right|correct|true|so)|"
    r"isn'?t (?:it|that|there|he|she)(?: so| right| true)?|is it not|"
    r"aren'?t (?:they|there|you|we)|didn'?t (?:it|they|you|he|she)|doesn'?t (?:it|he|she)|"
    r"don'?t (?:they|you|we)|wasn'?t (?:it|that|there)|weren'?t (?:they|there)|"
    r"hasn'?t (?:it|he|she)|haven'?t (?:they|you|we)|won'?t (?:it|they)|am i right|"
    r"no\?|or not|if i'?m not mistaken|if i remember (?:correctly|right)|as far as i know|"
    r"or am i wrong|or is that wrong)\s*[?!.]*\s*$"
    # after a negative statement: "NIZAMI isn't led by Heidelberg, is it?"
    r"|,\s*(?:is it|was it|are they|were they|does it|did it|do they|do you|have you|has it)"
    r"\s*\?\s*$",
    re.I,
)
PREFACE = re.compile(
    r"^(?:is it (?:true|correct|right|so) that|am i right (?:that|in thinking|to think)|"
    r"correct me if i'?m wrong|if i understand (?:correctly|right)|i (?:heard|read|know|think|"
    r"believe|was told|understand|saw|learned|learnt|remember)|i'?ve (?:heard|read|been told)|"
    r"(?:they|someone|somebody|people|my \w+) (?:told|tell|said|say)|as far as i know|"
    r"(?:just )?to (?:confirm|check|be sure|clarify|double check)|just (?:checking|confirming)|"
    r"let me (?:confirm|check)|since|as|given that|now that|because|considering that)\b",
    re.I,
)
CLAUSE_PRESUPPOSITION = re.compile(
    r"\b(?:since|given that|now that|because|considering that)\s+(?!\d)", re.I
)
# A statement asserts something only if it has a verb: "partner uni in greece" is a query typed
# as keywords, "the MAGNUS project finished in 2019" is a claim.
FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|s|re|has|have|had|does|do|did|will|can|coordinat(?:es|ed)|leads?|"
    r"led|runs?|ran|heads?|headed|manages?|managed|finish(?:es|ed)|ends?|ended|starts?|started|"
    r"began|begins?|lasts?|lasted|teach(?:es)?|taught|offers?|offered|sends?|sent|goes|went|"
    r"gone|go|includes?|included|cooperates?|cooperated|partnered|partners? with|works|worked|"
    r"comes?|came|study|studies|studied|participates?|participated|hosts?|hosted|covers?|"
    r"covered|got|get|gets|been)\b"
)
WISH = re.compile(
    r"^(?:i|we) (?:want|wanna|would like|d like|wish|need|hope|plan|am planning|m planning|"
    r"am looking|m looking|am interested|m interested|am thinking|m thinking|am going to apply|"
    r"am curious|m curious|would love|d love)\b"
)
EMBEDDED_QUESTION = re.compile(
    r"[,;:-]\s*(?:who|what|what's|whats|which|when|where|why|how)\b", re.I
)
ABOUT_ONLY = re.compile(r"^i (?:heard|read|know|saw|learned|learnt) (?:about|of)\b")
QUESTION_START = {
    "who", "what", "whats", "which", "when", "where", "why", "how", "whom", "whose", "do",
    "does", "did", "is", "are", "was", "were", "can", "could", "will", "would", "should",
    "may", "might", "have", "has", "had", "tell", "please", "list", "show", "give", "explain",
    "any", "shall", "must", "describe", "name",
}  # fmt: skip
OPENERS = {
    "hi", "hello", "hey", "dear", "thanks", "thank", "ok", "okay", "great", "well", "oh",
    "wow", "good", "nice", "cool", "sir", "madam", "and", "also", "but", "then", "hmm", "sorry",
}  # fmt: skip

PARTNER_WORDS = re.compile(
    r"\b(?:partner\w*|cooperat\w*|co operat\w*|collaborat\w*|work(?:s|ing)? with|"
    r"agreements? with|exchange with|ties with|links with)\b"
)
YOUR_PARTNERS = re.compile(r"\byour\b(?: \w+){0,3} (?:partner|partners)\b")
PLAIN_PARTNER_QUESTION = re.compile(r"^(?:who|what|which) (?:are|is|were) your\b")
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
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# "one of your partners" counts nothing, so counting starts at two
WORD_NUMBERS = {word: value for value, word in enumerate(NUMBER_WORDS) if value >= 2}
WORD_NUMBERS |= {word: (place + 2) * WORD_NUMBERS["ten"] for place, word in enumerate(TENS)}
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
class Mention:
    kind: str  # project | organisation | country | programme | university | group
    target: object
    start: int  # token positions in the sentence's folded tokens
    end: int


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


@dataclass
class Sentence:
    text: str  # as the student wrote it
    tokens: List[str]
    folded: str
    mentions: List[Mention]
    asserting: bool
    presupposing: bool
    context_project: Project | None = None

    def of(self, kind: str) -> List[Mention]:
        return [m for m in self.mentions if m.kind == kind]

    def first(self, kind: str):
        found = self.of(kind)
        return found[0].target if found else None

    def numbers(self) -> List[Tuple[int, int]]:
        """(token position, value) of numbers that are not part of a name ("Horizon 2020")."""
        inside = {i for m in self.mentions for i in range(m.start, m.end)}
        found = []
        for i, token in enumerate(self.tokens):
            if i in inside:
                continue
            if token.isdigit() and len(token) <= 6:
                found.append((i, int(token)))
            elif token in WORD_NUMBERS:
                found.append((i, WORD_NUMBERS[token]))
        return found


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


def split_sentences(text: str) -> List[Tuple[str, int]]:
    """Sentences with their start offsets; "?", "!", "." and line breaks end one."""
    parts = []
    for match in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", text):
        raw = match.group()
        chunk = raw.strip()
        if re.search(r"\w", chunk):
            parts.append((chunk, match.start() + len(raw) - len(raw.lstrip())))
    return parts


ENTITY_KINDS = {"project": "project", "university": "organisation", "organisation": "organisation",
                "country": "country"}  # fmt: skip


def _entity_mentions(
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


def _strip_openers(words: List[str]) -> List[str]:
    while words and words[0] in OPENERS:
        words = words[1:]
    return words


def _mood(text: str, folded: str) -> Tuple[bool, bool]:
    """(asserting, presupposing) for one sentence."""
    words = _strip_openers(folded.split())
    body = " ".join(words)
    question = text.rstrip().endswith("?") or bool(EMBEDDED_QUESTION.search(text))
    tagged = bool(TAG_QUESTION.search(text.strip()))
    prefaced = bool(PREFACE.match(body)) and not ABOUT_ONLY.match(body)
    prefaced = prefaced or bool(CLAUSE_PRESUPPOSITION.search(text))
    declarative = (
        not question
        and bool(words)
        and words[0] not in QUESTION_START
        and bool(FINITE_VERB.search(body))
        and not WISH.match(body)
    )
    asserting = tagged or prefaced or declarative
    presupposing = bool(re.search(r"\bof your\b(?: \w+){0,3} partners?\b", body))
    for match in YOUR_PARTNERS.finditer(body):
        before = body[: match.start()].split()[-1:]
        if before not in (["are"], ["is"], ["were"], ["was"]):
            presupposing = True
    return asserting, presupposing


def read_sentences(text: str, entities: Sequence[dict] = ()) -> List[Sentence]:
    text = (text or "")[:MAX_CHARS]
    sentences: List[Sentence] = []
    context: Project | None = None
    for chunk, offset in split_sentences(text):
        tokens = fold(chunk).split()
        mentions = find_mentions(chunk, tokens)
        mentions += _entity_mentions(chunk, offset, entities, mentions)
        mentions.sort(key=lambda m: m.start)
        asserting, presupposing = _mood(chunk, " ".join(tokens))
        sentence = Sentence(chunk, tokens, " ".join(tokens), mentions, asserting, presupposing)
        sentence.context_project = context
        projects = sentence.of("project")
        if projects:
            context = projects[-1].target
        sentences.append(sentence)
    return sentences


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
    asks_who = re.match(r"^(?:who|which|what)\b", " ".join(_strip_openers(sentence.folded.split())))
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


NEGATION = re.compile(
    r"\b(?:dont|doesnt|didnt|isnt|arent|wasnt|werent|hasnt|havent|never|no longer)\b|"
    r"\bnot\b(?! sure| only| just| mistaken| wrong)|"
    r"\bno (?:\w+ )?(?:partners?|students?|universities|projects?|agreements?)\b"
)


def is_negated(sentence: Sentence) -> bool:
    """Whether the sentence asserts the negative ("NIZAMI isn't coordinated by Heidelberg,
    right?"); the tag question's own negation ("..., isn't it?") doesn't count."""
    text = TAG_QUESTION.sub("", sentence.text)
    return bool(NEGATION.search(" ".join(_strip_openers(fold(text).split()))))


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
