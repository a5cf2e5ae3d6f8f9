"""Split a student's message into its questions.

Real applicants write "Hi team, 1) how many students? 2) is there a buddy programme? Cheers,
Lina". Each question gets its own intent and its own answer, so the splitter finds them:
numbered or bulleted items, lines, sentences, and clauses joined by "also", "plus", ";" or
"and" followed by a new question ("who coordinates it and when does it run?"). It never splits
on an "and" inside one question ("partners in Poland and Latvia?").

Greetings, thanks and sign-offs are not questions, and neither are statements that only tell
a story ("My son is finishing school in Jakarta."): they are dropped, but the message's
entities (a country of origin) still come from the whole text.

Pure and rule-based: it runs on every message inside the Rasa server, costs microseconds, and
each rule is tested on tests/understanding/split_cases.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Tuple

MAX_PARTS = 4  # answered in one reply; beyond that the reply says how many were left
MAX_SCANNED = 4000  # characters; longer messages are split on their first part only

Span = Tuple[int, int]


@dataclass(frozen=True)
class Part:
    """One question of a message: its text and where it is in the message."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Split:
    parts: List[Part]
    dropped: int  # questions found beyond MAX_PARTS, not answered


WH_WORDS = (
    r"who|whom|whose|who's|whos|what|what's|whats|when|where|where's|which|why|how|how's|any|"
    r"anyone|anybody"
)
AUXILIARIES = (
    r"is|isn't|are|aren't|am|do|don't|does|doesn't|did|didn't|can|can't|could|couldn't|will|"
    r"would|should|shall|may|might|must|has|have"
)
# An auxiliary asks only when its subject follows: "can I go", not "would love to try".
ASKING_AUXILIARY = (
    rf"(?:{AUXILIARIES})\s+(?:i|you|we|they|he|she|it|there|beu|this|that|these|those|the|a|an|"
    r"my|your|our|its|their|any|some|students?|foreign|international|erasmus|mevlana|\w+'s)\b"
)
QUESTION_WORDS = rf"{WH_WORDS}|{ASKING_AUXILIARY}"
REQUEST = (
    r"tell me|tell us|please tell|pls tell|plz tell|i want to know|i'd like to know|"
    r"i would like to know|i wonder|i'm wondering|im wondering|i was wondering|wondering|"
    r"explain|describe|list|give me|show me|let me know|i need to know|i need info|"
    r"i'm interested in|im interested in|interested in|need info|info on|info about|"
    r"information on|information about|details on|details about|what about|how about|"
    r"is it true|is it possible|whether|i would (also )?(love|like) to|i'?d (also )?(love|like) to|"
    r"i (also )?want to (go|do|spend)|i'?m (also )?curious|i am (also )?curious|inform me|"
    r"inform us|i meant|i mean|meant"
)
ASKS = re.compile(
    r"^\W*(?:(?:and|also|plus|so|but|btw|ok|okay|oh|ah|oops|sorry|sry|then|please|pls|plz|"
    r"kindly)\W+)*"
    rf"(?:{QUESTION_WORDS}|{REQUEST})\b",
    re.I,
)
# A request in the middle of a sentence still makes it a question ("As a Chinese student I'd
# like to know if ...").
REQUEST_INSIDE = re.compile(
    r"\b(i'?d like to know|i would like to know|i want to know|i wonder|i'?m wondering|"
    r"i was wondering|i'?m curious|can you tell me|could you tell me|please tell me|"
    r"let me know|i'?d like to learn|i would like to learn)\b",
    re.I,
)
INTRO = re.compile(
    r"\W*(?:i would like to|i'?d like to|i want to|let me|can i|may i|i have to|i need to)\s+"
    r"(?:ask|know)(?:\s+(?:you|the following|a few things|some questions|something))*\W*",
    re.I,
)
INLINE_ITEM_BEFORE = re.compile(r"(?:^|\s)\(?(?:\d{1,2}|[a-h])\)\s*$", re.I)
SMALL_TALK = re.compile(
    r"^\W*(is |are )?(any(one|body) (there|here|online)|are you (there|a bot|real|human|a robot)|"
    r"how are you( doing)?|how'?s it going|what'?s up|wassup|ok(ay)?|ok(ay)? thanks?( bye)?|"
    r"thanks? bye|bye)\W*$",
    re.I,
)

WORD = re.compile(r"[^\W\d_]+")
GREETING = re.compile(
    r"^\W*(hi|hello|hey|hiya|yo|hallo|dear|good (morning|afternoon|evening|day)|greetings|"
    r"salam|salaam|merhaba|merhabalar|privet|ciao|hola|bonjour|assalamu alaikum|"
    r"thanks?|thank you|thx|ty|tnx|cheers|best|regards|kind regards|best regards|"
    r"sincerely|yours|bye|goodbye|cya|see you|many thanks|thanks in advance|ok thanks|okay thanks|"
    r"looking forward|have a nice day|have a good day|respectfully|"
    # Azerbaijani, Russian, Turkish (with and without their letters)
    r"здравствуйте|здравствуй|привет|добрый (день|вечер)|доброе утро|спасибо|до свидания|пока|"
    r"selam|selamlar|iyi g[uü]nler|g[uü]nayd[ıi]n|te[sş]ekk[uü]rler|sa[gğ] ?ol|"
    r"h[oö]rm[eə]tli|sabah[ıi]n[ıi]z xeyir|ax[sş]am[ıi]n[ıi]z xeyir|t[eə][sş][eə]kk[uü]rl[eə]r)\b",
    re.I,
)

# A numbered or bulleted item at the start of a line or inline ("1) a? 2) b?").
ITEM_MARK = re.compile(
    r"(?:(?<=\s)|^)(?:\(?\d{1,2}[.)\-:]|\(?[a-h]\)|\(?(?:i{1,3}|iv|vi{0,3}|ix)\)|[-*•·–—]|"
    r"\**q\d{1,2}\**[.):]?)\s*(?=\S)",
    re.I | re.M,
)
NUMBERED_MARK = re.compile(r"\(?\d|\(?[a-h]\)|\(?[ivx]+\)|\**q\d", re.I)
SENTENCE_END = re.compile(r"(?<=[?!])[\s\"'”)]*(?=\S)|(?<=[.;])\s+(?=\S)")
ABBREVIATION = re.compile(
    r"\b(dr|mr|mrs|ms|prof|st|e\.g|i\.e|etc|vs|no|nr|approx|u\.s|u\.k)\.$", re.I
)
# Where a sentence holds a second question: "..., also ...", "... and when does it run?".
CLAUSE_BREAK = re.compile(
    rf"\s[-–—]+\s+(?=(?:and\s+)?(?:{QUESTION_WORDS}|{REQUEST})\b)|"
    r"(?:,\s*|\s+)(?=and\s+(?:also\s+)?the\s+(?:number|list|names?)\s+of\b)|"
    r"(?:,\s*|\s+)(?=(?:and|or)\s+(?:in|from|for|with|at|to|by|since|until)\s+"
    r"(?:what|which|how|whom|when)\b)|"
    rf"(?:[,;]\s*|\s+)(?=(?:and\s+)?(?:also|plus|btw|additionally|furthermore|moreover)\b)|"
    rf"(?:,\s*|\s+)(?=(?:and|or|but)\s+(?:also\s+)?(?:{QUESTION_WORDS}|{REQUEST})\b(?!\s+(?:and|or)\b))|"
    rf",\s*(?=(?:{QUESTION_WORDS})\s+(?!(?:and|or)\b)\w+\s+\w+)",
    re.I,
)
LETTER = re.compile(r"[^\W\d_]", re.U)


def split_questions(text: str | None) -> Split:
    """The questions of a message, in order (at most MAX_PARTS; `dropped` counts the rest).

    A message without a recognisable question ("Erasmus.", "partners in Italy", a greeting) has
    no parts: the intent model reads it whole, as it always has."""
    text = (text or "")[:MAX_SCANNED]
    if not LETTER.search(text):
        return Split([], 0)
    pieces = [p for p in _segments(text) if LETTER.search(text[p[0] : p[1]])]
    chitchat = _chitchat_flags(text, pieces)
    questions = [
        p
        for p, chat in zip(pieces, chitchat, strict=True)
        if not chat and _is_question(text[p[0] : p[1]], p, text)
    ]
    for position in range(1, len(pieces)):
        piece, before = pieces[position], pieces[position - 1]
        if (
            piece not in questions
            and before in questions
            and _added_topic(text[piece[0] : piece[1]])
        ):
            questions.insert(questions.index(before) + 1, piece)
    parts = [_part(text, span) for span in questions]
    return Split(parts[:MAX_PARTS], max(0, len(parts) - MAX_PARTS))


def after_greeting(text: str, split: Split) -> bool:
    """One question after a greeting ("salam, ..."): classified by the question alone, since
    a greeting word weighs more than a question's in a short message."""
    return len(split.parts) == 1 and bool(GREETING.match(text[: split.parts[0].start]))


def _part(text: str, span: Span) -> Part:
    """The question's own words: without a lead-in ("Two questions: ") or a dangling "and"."""
    start, end = span
    lead_in = re.match(r"[^:?\n]{0,42}:\s*", text[start:end])
    if lead_in and _asks(text[start + lead_in.end() : end]):
        start += lead_in.end()
    greeting = GREETING.match(text[start:end])
    if greeting and len(WORD.findall(text[start + greeting.end() : end])) >= 3:
        start += greeting.end()  # "salam, ..." is classified by its question, not its greeting
    while start < end and not text[start].isalnum():
        start += 1
    while True:
        trimmed = re.sub(
            r"(?:[\s,;:\-–—]+|\s+(?:and|or|also|plus))+$", "", text[start:end], flags=re.I
        )
        if len(trimmed) == end - start:
            break
        end = start + len(trimmed)
    return Part(text[start:end], start, end)


def _segments(text: str) -> List[Span]:
    """Lines, list items, sentences, then clauses, as spans of the original text."""
    spans: List[Span] = []
    for line in _split(text, [(0, len(text))], re.compile(r"\n+")):
        for item in _items(text, line):
            for sentence in _sentences(text, item):
                spans += _clauses(text, sentence)
    return spans


def _split(text: str, spans: List[Span], pattern: re.Pattern) -> List[Span]:
    out: List[Span] = []
    for start, end in spans:
        cursor = start
        for match in pattern.finditer(text, start, end):
            if match.start() > cursor:
                out.append((cursor, match.start()))
            cursor = match.end()
        if cursor < end:
            out.append((cursor, end))
    return out


def _items(text: str, span: Span) -> List[Span]:
    start, end = span
    marks = [m for m in ITEM_MARK.finditer(text, start, end)]
    # A hyphen inside a sentence ("FameLab - what is it?") is not a bullet: inline marks count
    # only when they are numbered ("1) a? 2) b?").
    numbered = [m for m in marks if m.start() > start and NUMBERED_MARK.match(m.group())]
    if len(numbered) < 2 and not (marks and marks[0].start() == start):
        numbered = []  # "my daughter (17) wants ...": one number is not a list
    marks = [m for m in marks if m.start() == start or m in numbered]
    if not marks:
        return [span]
    out, cursor = [], start
    for mark in marks:
        if mark.start() > cursor:
            out.append((cursor, mark.start()))
        cursor = mark.end()
    out.append((cursor, end))
    return out


def _sentences(text: str, span: Span) -> List[Span]:
    start, end = span
    out, cursor = [], start
    for match in SENTENCE_END.finditer(text, start, end):
        before = text[cursor : match.start()]
        if before.endswith(".") and (ABBREVIATION.search(before) or re.search(r"\b\w\.$", before)):
            continue  # "Dr. Nowak", "U.S."
        if re.search(r"\d\.$", before) and re.match(r"\d", text[match.end() : match.end() + 1]):
            continue  # "1.5"
        out.append((cursor, match.start()))
        cursor = match.end()
    out.append((cursor, end))
    return [s for s in out if s[1] > s[0]]


def _clauses(text: str, span: Span) -> List[Span]:
    """A sentence split where a new question starts; only when both sides are questions, so
    "partners in Poland and Latvia" and "students and staff who went abroad" stay whole."""
    start, end = span
    cuts: List[int] = []
    for match in CLAUSE_BREAK.finditer(text, start, end):
        if match.end() - start > 8 and (not cuts or match.end() - cuts[-1] > 5):
            cuts.append(match.end())
    if not cuts:
        return [span]
    bounds = [start, *cuts, end]
    pieces = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    # "..., and do you also help with DAAD?": a fragment too short to be a question joins the
    # clause after it
    joined: List[Span] = []
    for piece in pieces:
        fragment = text[joined[-1][0] : joined[-1][1]] if joined else ""
        short = len(fragment.split()) <= 4 and DANGLING.search(fragment)
        if short and joined[-1][0] > start:
            joined[-1] = (joined[-1][0], piece[1])
            continue
        joined.append(piece)
    pieces = joined
    out = [pieces[0]]
    for piece in pieces[1:]:
        clause = _strip_joiner(text[piece[0] : piece[1]])
        joined = text[piece[0] - 2 : piece[0]].strip() == "," and not re.match(
            r"\W*(and|or|but|also|plus|btw)\b", text[piece[0] : piece[1]], re.I
        )
        if joined and not _asks(_strip_joiner(text[out[-1][0] : out[-1][1]])):
            out[-1] = (out[-1][0], piece[1])  # "If I enrol, can I ..." is one question
        elif _short_label(text[out[-1][0] : out[-1][1]]):
            out[-1] = (out[-1][0], piece[1])  # "FameLab - what is it?"
        elif (_asks(clause) and len(clause.split()) >= 2) or (
            _added_topic(text[piece[0] : piece[1]]) and _asks(text[out[-1][0] : out[-1][1]])
        ):
            out.append(piece)
        else:
            out[-1] = (out[-1][0], piece[1])
    return out


def _short_label(piece: str) -> bool:
    """A name or topic before a dash or comma, not a question of its own."""
    return len(piece.split()) <= 3 and not _asks(piece)


def _added_topic(clause: str) -> bool:
    """ "... plus the Creative Spark thing", "... and also the popular departments": a second
    subject added to a request is a second question."""
    return bool(
        re.match(r"\W*(?:and\s+also|also|plus)\s+(?:the\s+)?\w+\W+\w+", clause, re.I)
        or re.match(r"\W*and\s+(?:also\s+)?the\s+(?:number|list|names?)\s+of\b", clause, re.I)
    )


def _strip_joiner(clause: str) -> str:
    return re.sub(
        r"^\W*(?:(?:and|also|plus|btw|additionally|furthermore|moreover|or|but|in|from|for|"
        r"with|at|to|by|since|until)\W+)+",
        "",
        clause,
        flags=re.I,
    )


# A clause cut off before its verb ("and do you" + "also help with DAAD?")
DANGLING = re.compile(
    rf"\b(?:{AUXILIARIES}|you|i|we|they|he|she|it|u)\W*$",
    re.I,
)
PROPER_NOUN_AUXILIARY = re.compile(
    rf"^\W*(?:and\s+)?(?i:{AUXILIARIES})\s+(?:[A-Z][\w+-]*|\d)",
)


def _asks(clause: str) -> bool:
    clause = re.sub(r"^\W*(?:hi|hello|hey|so|ok|okay)\b[\s,!.]*", "", clause, flags=re.I)
    clause = re.sub(r"^[^:?]{0,42}:\s*", "", clause)  # "Two questions: who ..."
    return bool(ASKS.match(clause) or REQUEST_INSIDE.search(clause)) or clause.rstrip().endswith(
        "?"
    )


def _is_question(segment: str, span: Span, text: str) -> bool:
    stripped = segment.strip()
    if stripped.startswith("(") and not stripped.endswith("?"):
        return False  # "(I mean CRENG)": a remark on the question before it
    if stripped.endswith(":") or INTRO.fullmatch(stripped):
        return False  # "Could you please tell me:" introduces the questions after it
    if INLINE_ITEM_BEFORE.search(text[max(0, span[0] - 8) : span[0]]):
        return True  # "(2) in which projects exactly,"
    if stripped.endswith("?") or _asks(_strip_joiner(stripped)):
        return True
    # A list item under an introduction ("Could you tell me:\n- whether ...;\n- what ...")
    # is a question even when it is written as a noun phrase.
    line_start = text.rfind("\n", 0, span[0]) + 1
    marker = ITEM_MARK.match(text, line_start)
    return bool(marker) and marker.end() <= span[0] + 1 and not stripped.endswith(":")


def _chitchat_flags(text: str, pieces: List[Span]) -> List[bool]:
    """Which pieces are greetings, thanks or sign-offs; a short capitalised line right after a
    sign-off is the writer's name ("Best,\nRauf")."""
    flags: List[bool] = []
    for start, end in pieces:
        segment = text[start:end]
        after_signoff = bool(flags) and flags[-1] and "\n" in text[:start][-3:]
        flags.append(_is_greeting(segment) or (after_signoff and _is_name(segment)))
    return flags


def _is_greeting(segment: str) -> bool:
    words = re.findall(r"[^\W\d_]+", segment)
    if not words or SMALL_TALK.match(segment):
        return True
    if not GREETING.match(segment):
        return False
    if SMALL_TALK.match(_greeting_tail(segment)):
        return True  # "Merhaba, how are you?"
    return len(words) <= 3 or (len(words) <= 8 and not _asks(_greeting_tail(segment)))


def _greeting_tail(segment: str) -> str:
    return GREETING.sub("", segment, count=1)


def _is_name(segment: str) -> bool:
    words = re.findall(r"[^\W\d_]+\.?", segment)
    return 0 < len(words) <= 3 and all(w[:1].isupper() for w in words) and "?" not in segment
