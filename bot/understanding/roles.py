"""Who is who: the role a country plays in a message.

"I'm from Moldova, do you have partners in Poland?" names two countries that must not be
answered alike: Moldova is the writer's own country (`origin`), Poland is where they want to go
(`destination`). Answering "no partner in Moldova" to a Moldovan asking about Moldovan students
is the failure this module prevents. Rasa's own entity roles need DIET or CRF, which this
pipeline doesn't use, so the role is read from the words around the name ("from", "I'm", a
demonym after "I am", "... here", "back to", "my home country" / "in", "to", "with",
"X universities", "a partner"). A name without such a cue, or with a neutral one ("students
from X", "taught in Russian", "coordinated by"), gets no role: the caller treats it as the
question's subject.

The cues are language knowledge, not university facts, and live in tables (`RoleCues`), one per
language: `ENGLISH`, `RUSSIAN` (the preposition and the case: "я из России" origin, "в Польше"
destination, "студенты из Ирана" neither) and `TURKIC` for Turkish and Azerbaijani, where the
case ending on the name is the strongest cue (bot/language/turkic.py: "Polonya'dan geliyorum",
"Qazaxıstandanam" origin; "Polşada", "Polonya'ya", "Türkiyədəki" destination; "İran'dan
öğrenci" neither), read from the generated forms (`bot.kb.local_names.meaning_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Literal, Tuple

from bot.kb.local_names import NATIONALITY, meaning_of
from bot.language import turkic

Role = Literal["origin", "destination"]
ORIGIN: Role = "origin"
DESTINATION: Role = "destination"
NEITHER = "neither"  # a cue that decides "no role" (stops the search)

COUNTRY = "country"
ROLE = "role"  # Rasa's entity attribute (rasa.shared.nlu.constants.ENTITY_ATTRIBUTE_ROLE)
CONTEXT_CHARS = 200  # how far the cues look: bounds the work on a 2,000-character message


@dataclass(frozen=True)
class Cue:
    """One cue: when its parts match around a country name, the name gets `outcome`."""

    outcome: str  # ORIGIN, DESTINATION or NEITHER
    before: re.Pattern | None = None  # searched in the sentence before the name
    after: re.Pattern | None = None  # matched at the start of the sentence after the name
    demonym_only: bool = False  # "in Russian" is a language, "in Russia" a place
    ending: FrozenSet[str] | None = None  # what the name's case ending must say (turkic meanings)


@dataclass(frozen=True)
class RoleCues:
    """A language's cues, in priority order (the first cue that matches decides)."""

    cues: Tuple[Cue, ...]
    sentence_end: re.Pattern  # where a sentence ends (cues never look past it)
    connector: re.Pattern  # "Poland and Latvia": the second name shares the first one's role
    list_topic: re.Pattern  # "Which countries can I go to? Germany, Italy?": bare names answer it
    home: re.Pattern  # "back home", "my country": the writer's own country without its name


# -- English ------------------------------------------------------------------------------------

# What may stand between a cue and the name: articles, hedges, list openers and capitalised
# words such as a city ("from Kazan, Russia", "in Europe, maybe Germany").
_FILLER = (
    r"(?:[\s,:(\-–]+(?:the|a|an|some|maybe|perhaps|probably|possibly|especially|preferably|even"
    r"|like|such\s+as|e\.g\.|including|either|for\s+(?:example|instance)"
    r"|(?-i:[A-Z][\w'’.-]*))){0,4}[\s,:(\-–]*$"
)
_I_AM = r"\b(?:i\s*['’]?\s*m|i\s+am|im|we\s*['’]?\s*re|we\s+are|i\s+was|we\s+were)"
_FIRST_PERSON = (
    r"(?:\b(?:i|we)\s*['’]?\s*(?:m|am|re|are|was|were|come|came|moved|originally)\b"
    r"|\bim\b|\bme\b|\bmyself\b|\bmy\s+name\s+is\b)"
)
# Words that turn "I ... from X" into a question about others ("I wonder if students from X").
_ABOUT_OTHERS = (
    r"there|if|whether|know|ask|asking|asked|wonder|wondering|about|any|how|what|which|who"
    r"|want|wants|would|like|interested|looking|students|people|other|others|many|some|accept"
    r"|have|has|do|does|heard|hear|think|see|meet|find|friends?|classmates|colleagues|not"
)
_FAMILY = (
    r"son|daughter|child|children|kids?|family|parents?|mother|father|mom|mum|dad|brother"
    r"|sister|husband|wife|nephew|niece"
)
_GREETING_ONLY = (
    r"^[\s,!.:;\-]*(?:(?:hi|hello|hey|salam|salaam|privet|greetings|good\s+\w+|dear\s+\w+|so"
    r"|ok|okay|well|a|an|um)[\s,!.:;\-]*)*$"
)


def _ends(pattern: str) -> re.Pattern:
    """The cue right before the name, fillers allowed in between."""
    return re.compile(rf"(?:{pattern}){_FILLER}", re.I)


def _starts(pattern: str) -> re.Pattern:
    return re.compile(rf"^(?:{pattern})", re.I)


def _anywhere(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


ENGLISH = RoleCues(
    cues=(
        # A demonym after "in" or "speak" is a language: "taught in Russian", "I speak Turkish".
        Cue(
            NEITHER,
            _ends(r"\b(?:in|speak|speaks|speaking|spoken|learn|learning|know|knows|fluent)"),
            _starts(r"(?![\s-]*(?:universit|unis?\b|partner|institution|college|school|compan))"),
            demonym_only=True,
        ),
        Cue(NEITHER, _ends(r"\bnot\s+(?:from|in)")),
        # Where the writer lives, was born, goes back to: their own country.
        Cue(
            ORIGIN,
            _ends(
                r"\b(?:back|return|returns|returning|returned)(?:\s+home)?(?:\s+(?:to|in))?"
                r"|\bhome\s+(?:to|in)"
            ),
        ),
        Cue(
            ORIGIN,
            _ends(
                r"\b(?:live|lives|living|lived|based|born|raised|grew\s+up|growing\s+up"
                r"|reside|resides|residing|settled)\s+in"
            ),
        ),
        Cue(ORIGIN, _ends(_I_AM + r"\s+(?:now\s+|currently\s+|still\s+|right\s+now\s+)?in")),
        Cue(ORIGIN, _ends(r"\bhere\s+in")),
        # "I study in Erbil, Iraq" states where they are; "can I study in Portugal?" does not.
        Cue(
            ORIGIN,
            _ends(
                r"(?:^|[,;:]\s*|\b(?:and|but|now|currently)\s+)(?:i|we)\s+"
                r"(?:currently\s+|now\s+)?(?:study|work|teach)\s+in"
            ),
        ),
        Cue(ORIGIN, _ends(r"\b(?:i|we)\s+(?:have\s+|recently\s+|just\s+)?moved\s+to")),
        # "my son in Jakarta, Indonesia", "my parents are from Myanmar": the family's country.
        Cue(
            ORIGIN,
            _ends(
                rf"\b(?:my|our)\s+(?:{_FAMILY})\s+(?:(?:who|that|is|are|lives?|living|works?|working"
                r"|studies|currently|now|originally)\s+)*(?:in|from)"
            ),
        ),
        Cue(
            ORIGIN,
            _ends(
                r"\b(?:(?:my|our)\s+(?:own\s+|home\s+|native\s+|mother\s+)?"
                r"(?:country|homeland|motherland|hometown|home|nationality|citizenship)"
                r"|home\s+country|nationality)(?:\s+is)?"
            ),
        ),
        Cue(
            ORIGIN,
            _ends(r"\b(?:greetings|hello|hi|hey|salam|salaam|privet|regards|writing|write)\s+from"),
        ),
        Cue(
            ORIGIN,
            _ends(
                rf"{_FIRST_PERSON}(?:[\s,]+(?!(?:{_ABOUT_OTHERS})\b)[\w'’-]+){{0,6}}?"
                r"[\s,]+(?:originally\s+)?from(?:\s+[\w'’-]+){0,4}?\s+(?:in|of)"
            ),
        ),  # "I come from a small village in Tajikistan"
        Cue(
            ORIGIN,
            _ends(
                rf"{_FIRST_PERSON}(?:[\s,]+(?!(?:{_ABOUT_OTHERS})\b)[\w'’-]+){{0,6}}?"
                r"[\s,]+(?:originally\s+)?from"
            ),
        ),
        # "universities from Italy" is a partner country; "students from Russia" is neither.
        Cue(
            DESTINATION,
            _ends(
                r"\b(?:partners?|partnerships?|universit(?:y|ies)|unis?|institutions?"
                r"|colleges?|schools?)\s+(?:from|of)"
            ),
        ),
        Cue(NEITHER, _ends(r"\bfrom")),
        Cue(
            NEITHER,
            _ends(
                r"\b(?:compared|next|close|similar|near|due|thanks|according|belongs?"
                r"|belonging|welcome)\s+to"
            ),
        ),
        Cue(NEITHER, _ends(r"\bby")),  # "coordinated by a French university"
        # Where the writer wants to go, or asks partners in.
        Cue(DESTINATION, _ends(r"\b(?:to|into|towards|in|at|inside|within)")),
        Cue(
            DESTINATION,
            _ends(r"\b(?:with|visit|visiting|choose|prefer|(?:choose|choosing|pick)\s+between)"),
        ),
        Cue(
            DESTINATION,
            _ends(
                r"\b(?:partner|exchange|erasmus|mobility|destination)\s+"
                r"(?:countr(?:y|ies)|universit(?:y|ies)|partners?|options?)\b\??"
            ),
        ),
        # "as an Italian", "I'm Turkish", "I am a 19 year old Tajik citizen".
        Cue(ORIGIN, _ends(r"(?<!such\s)\bas\s+an?")),
        Cue(
            ORIGIN,
            _ends(
                _I_AM + r"(?:\s+(?:a|an|the|half|also|proud|young|fellow|native|ethnic|both"
                r"|originally|\d+[\w-]*|years?|old|year-old|international|foreign"
                r"|prospective|future))*"
            ),
        ),
        # Words after the name: "Turkmen guy here", "Tajikistan is my home country".
        Cue(
            ORIGIN,
            _anywhere(_GREETING_ONLY),
            _starts(
                r"[\s,\-]*(?:(?:guy|girl|man|woman|boy|lady|student|applicant|person|dude"
                r"|family|citizen)\s+)?(?:here|speaking|writing)\b"
            ),
        ),
        Cue(
            ORIGIN,
            None,
            _starts(
                r"[\s,]*(?:is|was)\s+(?:my|our)\s+(?:own\s+|home\s+|native\s+)?"
                r"(?:country|homeland|motherland|home)"
            ),
        ),
        Cue(
            ORIGIN,
            _anywhere(r"\b(?:i|my|me|we|our)\b"),
            _starts(r"[\s-]*(?:passport|citizenship|nationality|citizen|national|roots|origin)"),
        ),
        Cue(
            DESTINATION,
            None,
            _starts(
                r"[\s-]*(?:(?:erasmus|exchange|partner)\s+)?"
                r"(?:partner|universit|unis?\b|institution|college)"
            ),
        ),
        Cue(
            DESTINATION,
            None,
            _starts(
                r"\s*(?:(?:is|are)\s+)?(?:(?:a|an|one\s+of)\s+)?(?:(?:your|the|our|beu['’]?s?)\s+)?"
                r"(?:(?:erasmus|exchange)\s+)?(?:partner|destination)"
            ),
        ),
        Cue(
            DESTINATION,
            None,
            _starts(
                r"\s*(?:(?:is|are)\s+)?(?:on|in|among)\s+(?:(?:the|your)\s+)?(?:list\s+of\s+)?"
                r"(?:(?:the|your)\s+)?(?:partner|exchange|erasmus|destination)"
            ),
        ),
    ),
    sentence_end=re.compile(
        r"[.!?;]+(?=\s*(?-i:[A-Z0-9\"“(])|\s*$)|\n+|(?<=\s)\d+[.)](?=\s)", re.I
    ),
    connector=re.compile(
        r"^[\s,/&]*(?:(?:and|or|half|and\s+also|or\s+even|as\s+well\s+as|and\s+maybe|or\s+maybe"
        r"|maybe|also)[\s,/&]*)?(?:the\s+)?$",
        re.I,
    ),
    list_topic=re.compile(
        r"\b(?:exchange|partners?|erasmus|mevlana|mobility|abroad|go|travel|semester|destinations?)"
        r"\b",
        re.I,
    ),
    home=re.compile(
        r"\bback\s+home\b"
        r"|\b(?:my|our)\s+(?:own\s+|home\s+|native\s+)?(?:country|homeland|motherland)\b"
        r"|\bhome\s+(?:country|university|uni|institution|town)\b"
        r"|\b(?:universit(?:y|ies)|unis?|college|school|studies|job|work)\s+(?:at|back)\s+home\b"
        r"|\bwhere\s+(?:i|we)\s+(?:come|am|are)\s+from\b",
        re.I,
    ),
)


# -- Russian ------------------------------------------------------------------------------------

# Between a cue and the name: hedges and capitalised words ("из Казани, Россия").
_RU_FILLER = (
    r"(?:[\s,:(\-–—]+(?:например|может|возможно|даже|именно|лучше|скорее|то\s+есть|потом|тоже"
    r"|также|сейчас|уже|(?-i:[А-ЯЁA-Z][\w'’.-]*))){0,3}[\s,:(\-–—]*$"
)
_RU_FAMILY = (
    r"сын\w*|доч\w*|реб[её]н\w*|дет\w*|семь\w*|родител\w*|мам\w*|пап\w*|брат\w*|сестр\w*"
    r"|муж\w*|жен\w*"
)
_RU_ABOUT_OTHERS = r"студент\w+|люд\w*|ест\w*|ли|кто|сколько|много|принима\w*|учат\w*|друз\w*"


def _ru_ends(pattern: str) -> re.Pattern:
    return re.compile(rf"(?:{pattern}){_RU_FILLER}", re.I)


RUSSIAN = RoleCues(
    cues=(
        # "на русском", "по-турецки": a language
        Cue(NEITHER, _ru_ends(r"\b(?:на|по)"), demonym_only=True),
        Cue(NEITHER, _ru_ends(r"\bне\s+(?:из|в|во)")),
        Cue(
            ORIGIN,
            _ru_ends(
                r"\b(?:верн|возвра[щт])\w*(?:\s+(?:домой|потом|обратно|после\s+\w+))*\s+(?:в|во|на)"
            ),
        ),
        Cue(
            ORIGIN,
            _ru_ends(
                r"\b(?:живу|живем|живём|живет|живёт|живут|жил|жила|живший|родил\w*|вырос\w*"
                r"|проживаю|нахожусь|находимся|учусь\s+сейчас|работаю)\s+(?:сейчас\s+)?(?:в|во|на)"
            ),
        ),
        Cue(
            ORIGIN,
            _ru_ends(
                rf"\b(?:мо[йяеи]|наш[аеи]?)\s+(?:{_RU_FAMILY})\s+(?:\w+\s+){{0,2}}?(?:в|во|из)"
            ),
        ),
        Cue(
            ORIGIN,
            _ru_ends(
                r"\b(?:мо[яй]|наша?)\s+(?:родная\s+)?(?:страна|родина|отчизна|гражданство)"
                r"(?:\s*(?:[-–—:]|это|—\s*это))?|\bпаспорт\w*|\bгражданин\w*|\bгражданка\w*"
                r"|\bгражданство"
            ),
        ),
        Cue(ORIGIN, _ru_ends(r"\b(?:привет|приветствую|пишу|пишем|звоню)\s+(?:вам\s+)?из")),
        Cue(ORIGIN, _ru_ends(r"\b(?:приехал\w*|родом|сам|сама|сами)\s+(?:\w+\s+)?из")),
        Cue(
            ORIGIN,
            _ru_ends(
                rf"\b(?:я|мы)\b(?:[\s,]+(?!(?:{_RU_ABOUT_OTHERS})\b)[\w'’-]+){{0,4}}?[\s,]+из"
            ),
        ),
        Cue(
            DESTINATION,
            _ru_ends(r"\b(?:партн[её]р\w*|университет\w*|вуз\w*|институт\w*)\s+(?:из|в|во)"),
        ),
        Cue(NEITHER, _ru_ends(r"\bиз")),
        Cue(NEITHER, _ru_ends(r"\b(?:насч[её]т|про|о|об|кроме)")),
        # "университеты Чехии", "вузы Италии": a partner country's universities
        Cue(DESTINATION, _ru_ends(r"\b(?:партн[её]р\w*|университет\w*|вуз\w*|институт\w*)")),
        Cue(DESTINATION, _ru_ends(r"\b(?:в|во|на|с|со|к|ко|до|по|между)")),
        # "я казах", "мы узбеки": the writer's people
        Cue(ORIGIN, _ru_ends(r"\b(?:я|мы)(?:\s+(?:тоже|сам|сама|же))?"), demonym_only=True),
        Cue(
            ORIGIN,
            None,
            _starts(r"[\s,]*(?:[-–—]\s*)?(?:это\s+)?(?:мо[яй]|наша?)\s+(?:страна|родина)"),
        ),
        Cue(
            DESTINATION,
            None,
            _starts(r"[\s,—–-]*(?:[\w]+\s+){0,3}?(?:партн[её]р|университет|вуз)"),
        ),
    ),
    sentence_end=ENGLISH.sentence_end,
    connector=re.compile(
        r"^[\s,/&]*(?:(?:и|или|а\s+также|либо|и\s+ещ[её]|или\s+даже|и\s+может)[\s,/&]*)?(?:в|во)?\s*$",
        re.I,
    ),
    list_topic=re.compile(
        r"\b(?:обмен\w*|партн[её]р\w*|эразмус\w*|мевлан\w*|поехать|семестр\w*)", re.I
    ),
    home=re.compile(
        r"\b(?:мо[яеёю]й?|наш\w*)\s+(?:родн\w+\s+)?(?:стран\w+|родин\w+)|\bна\s+родин\w+|\bдомой\b"
        r"|\bоткуда\s+я\b",
        re.I,
    ),
)


# -- Turkish and Azerbaijani ---------------------------------------------------------------------

_COME = r"(?:gel|gəl|başvur|basvur|müraciət|muraciet)\w*"
_LIVE = r"(?:yaşı|yasi|yaşa|yasa|otur|doğ|dog|anadan\s+ol|böyü|boyu)\w*"
_ORIGIN_ENDINGS = frozenset({turkic.I_AM_FROM, turkic.I_AM_IN})
_AWAY_ENDINGS = frozenset({turkic.LOCATIVE, turkic.DATIVE, turkic.LOCATIVE_ADJECTIVE})
# Endings that say something of their own: a name that has one doesn't share its neighbour's role.
_CASE_ENDINGS = _ORIGIN_ENDINGS | _AWAY_ENDINGS | {turkic.ABLATIVE, turkic.WITH}


def _tk_after(pattern: str) -> re.Pattern:
    """Within the next few words after the name."""
    return re.compile(rf"^(?:[\s,]+[\w'’-]+){{0,3}}?[\s,]+(?:{pattern})", re.I)


TURKIC = RoleCues(
    cues=(
        Cue(ORIGIN, ending=_ORIGIN_ENDINGS),  # "İranlıyım", "Türkiye'denim", "Qazaxıstandanam"
        Cue(ORIGIN, after=_tk_after(_COME), ending=frozenset({turkic.ABLATIVE})),
        Cue(ORIGIN, after=_tk_after(_LIVE), ending=frozenset({turkic.LOCATIVE})),
        # the case ending before any word around it: "ülkem Azerbaycan, Türkiye'de okumak"
        Cue(DESTINATION, ending=_AWAY_ENDINGS),
        Cue(
            ORIGIN,
            _ends(
                r"\b(?:benim\s+|mənim\s+|menim\s+)?(?:ülkem|ulkem|ölkəm|olkem|vatanım|vatanim"
                r"|vətənim|vetenim|memleketim)(?:\s+(?:ise|isə))?"
            ),
        ),
        Cue(ORIGIN, _ends(r"\b(?:ben|biz|mən|men|biz)"), demonym_only=True),
        Cue(
            DESTINATION,
            None,
            re.compile(r"^[\s,]*(?:ile|ilə|ilen)\b", re.I),
        ),
        Cue(DESTINATION, ending=frozenset({turkic.WITH})),
        Cue(
            DESTINATION,
            None,
            re.compile(
                r"^[\s,]*(?:partner|ortak|tərəfdaş|terefdas|anlaşma|müqavilə|ünivers|univers)",
                re.I,
            ),
        ),
    ),
    sentence_end=ENGLISH.sentence_end,
    connector=re.compile(
        r"^[\s,/&]*(?:(?:ve|veya|ya\s+da|yahut|və|ve\s+ya|və\s+ya|yaxud|ya\s+da)[\s,/&]*)?$",
        re.I,
    ),
    list_topic=re.compile(
        r"\b(?:değişim|degisim|mübadilə|mubadile|partner|tərəfdaş|erasmus|mevlana)", re.I
    ),
    home=re.compile(
        r"\b(?:ülkem\w*|ulkem\w*|ölkəm\w*|olkem\w*|memleketim\w*|vatanım\w*|vətənim\w*)",
        re.I,
    ),
)


# The cue tables by language code.
CUES_BY_LANGUAGE: Dict[str, RoleCues] = {"en": ENGLISH, "ru": RUSSIAN, "tr": TURKIC, "az": TURKIC}


# -- the logic ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def demonyms() -> FrozenSet[str]:
    """Every demonym of the reference country list, lower-cased ("russian", "turkmen").
    Loaded once (~0.3 s); the Rasa component loads it with the model, not on a message."""
    from bot.kb.load import load_countries  # reference data, loaded once

    return frozenset(
        demonym.lower() for country in load_countries().countries for demonym in country.demonyms
    )


def _sentence_bounds(text: str, start: int, end: int, cues: RoleCues) -> Tuple[int, int]:
    """Where the sentence around text[start:end] begins and ends."""
    begin, finish = 0, len(text)
    for boundary in cues.sentence_end.finditer(text):
        if boundary.end() <= start:
            begin = boundary.end()
        elif boundary.start() >= end:
            finish = boundary.start()
            break
    return begin, finish


def _cue_outcome(
    left: str, right: str, demonym: bool, cues: RoleCues, ending: str | None = None
) -> str | None:
    for cue in cues.cues:
        if cue.demonym_only and not demonym:
            continue
        if cue.ending is not None and ending not in cue.ending:
            continue
        if cue.before is not None and not cue.before.search(left):
            continue
        if cue.after is not None and not cue.after.match(right):
            continue
        return cue.outcome
    return None


def _names_only(sentence: str, spans: Iterable[Tuple[int, int]], offset: int) -> bool:
    """Whether the sentence is nothing but country names ("Germany, Italy, Poland?")."""
    rest = list(sentence)
    for start, end in spans:
        for i in range(max(start - offset, 0), min(end - offset, len(rest))):
            rest[i] = " "
    rest_text = "".join(rest)
    return (
        re.fullmatch(
            r"[\s,?!.;/&]*(?:(?:and|or|maybe|perhaps|too|also|please)\b[\s,?!.;/&]*)*",
            rest_text,
            re.I,
        )
        is not None
    )


def _word_end(text: str, end: int) -> int:
    """The end of the word a name ends in: "Iraq-dan", "Polonya'da" keep their case ending."""
    match = re.match(r"(?:['’\-]?[^\W\d_]+)*", text[end:])
    return end + (match.end() if match else 0)


def cues_for(language: str | None, name: str = "") -> RoleCues:
    """The cue table for a message's language; when it is unknown or unsupported, the name's own
    script or ending decides (Cyrillic: Russian; a Turkish/Azerbaijani form: Turkic)."""
    if language in CUES_BY_LANGUAGE:
        return CUES_BY_LANGUAGE[language]
    if re.search(r"[\u0400-\u04ff]", name):
        return RUSSIAN
    if meaning_of(name) in _CASE_ENDINGS | {turkic.FROM_ADJECTIVE}:  # "Moldova" is no cue
        return TURKIC
    return ENGLISH


def _role_of(
    text: str,
    entity: Dict[str, Any],
    previous: Tuple[Dict[str, Any], str | None] | None,
    countries: List[Dict[str, Any]],
    cues: RoleCues,
) -> str | None:
    start, end = entity["start"], entity["end"]
    begin, finish = _sentence_bounds(text, start, end, cues)
    word_end = _word_end(text, end)
    ending = meaning_of(text[start:word_end])
    if previous is not None and ending not in _CASE_ENDINGS:  # "İranlıyım, Polonya'ya": its own
        before, outcome = previous
        if begin <= before["end"] <= start and cues.connector.match(text[before["end"] : start]):
            return outcome  # "partners in Poland and Latvia"
    left = text[begin:start][-CONTEXT_CHARS:]
    right = text[word_end:finish][:CONTEXT_CHARS]
    demonym = text[start:end].lower() in demonyms() or ending == NATIONALITY
    outcome = _cue_outcome(left, right, demonym, cues, ending)
    if outcome is None and begin > 0:
        spans = [(c["start"], c["end"]) for c in countries if begin <= c["start"] < finish]
        if _names_only(text[begin:finish], spans, begin):
            prior_begin, _ = _sentence_bounds(text, begin - 1, begin - 1, cues)
            if cues.list_topic.search(text[prior_begin:begin]):
                outcome = DESTINATION  # "Which exchange countries are there? Poland?"
    return outcome


def assign_roles(
    text: str, entities: List[Dict[str, Any]], cues: RoleCues = ENGLISH
) -> List[Dict[str, Any]]:
    """Copies of the entities, with "role" set to "origin" or "destination" on the country
    entities whose surrounding words say so. Other entities, countries without a cue, and
    entities that already carry a role (a button's payload) are returned unchanged."""
    text = text or ""
    result = [dict(entity) for entity in entities]
    located = [
        entity
        for entity in result
        if entity.get("entity") == COUNTRY
        and isinstance(entity.get("start"), int)
        and isinstance(entity.get("end"), int)
        and 0 <= entity["start"] < entity["end"] <= len(text)
    ]
    located.sort(key=lambda entity: entity["start"])
    previous: Tuple[Dict[str, Any], str | None] | None = None
    for entity in located:
        outcome = _role_of(text, entity, previous, located, cues)
        previous = (entity, outcome)
        if outcome in (ORIGIN, DESTINATION) and not entity.get(ROLE):
            entity[ROLE] = outcome
    return result


def refers_to_home(text: str, cues: RoleCues | None = None) -> bool:
    """Whether the writer means their own country without naming it ("back home", "my
    country", "a uni at home", "моя страна", "ülkemden", "ölkəmdən"): the caller then uses the
    remembered origin country. Without a table, every language's words count (the callers
    don't know the language, and the words of one never occur in another)."""
    tables = [cues] if cues is not None else list(dict.fromkeys(CUES_BY_LANGUAGE.values()))
    return any(table.home.search(text or "") for table in tables)


def countries_with_role(entities: Iterable[Dict[str, Any]], role: Role | None) -> List[str]:
    """The values of the country entities with this role (None: those without one)."""
    return [
        str(entity["value"])
        for entity in entities
        if entity.get("entity") == COUNTRY and entity.get(ROLE) == role
    ]
