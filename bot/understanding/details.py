"""Details a question asks for that the page never gives, whatever the topic.

"How much is the Erasmus grant per month?" is about Erasmus, so the intent model sends it to the
Erasmus answer, which would then give partner counts: a neighbouring fact passed off as the
answer. The knowledge base holds no amounts of money, no staff names, no durations of a stay, no
credit requirements, no deadlines... so a question that asks for one of those is declined
honestly before any topic's answer is tried.

Each pattern names a KIND of detail (language knowledge, not a university fact); the subject
phrase is what the honest reply says it doesn't know. Patterns are narrow on purpose: a false
match turns an answerable question into "I don't know" (tests/understanding/test_details.py).
"""

from __future__ import annotations

import re
from typing import Callable, List, Tuple

from bot.i18n import _
from bot.language.textfold import strip_accents

COUNTABLE = (
    r"(students?|countries|partners?|universit(y|ies)|projects?|specialt(y|ies)|programs?|"
    r"programmes?)"
)
PERSON = (
    r"(dean|rector|vice[- ]rector|president|director|head of (the )?(department|office|faculty|"
    r"school|international)|chair(man|person)?|manager|"
    r"contact person|professor|coordinator of the (office|department))"
)

# The subject is a frame translated when a question matches (lambda): at import no reply language
# is chosen yet.
DETAILS: List[Tuple[Callable[[], str], re.Pattern]] = [
    (
        lambda: _("fees, grants and other amounts of money"),
        re.compile(
            rf"\bhow much\b(?!\s+{COUNTABLE})|\b(tuition|fees?|costs?|price|prices|stipends?|"
            r"allowance|salar(y|ies)|honorari(um|a)|payment|paid|pays?|euros?|dollars?|manats?|"
            r"azn|usd|eur|grant amount|amount of the grant|per month|a month|monthly|prizes?|"
            r"prize money|award money|for free|free of charge|tuition[- ]free|is it free)\b",
        ),
    ),
    (
        lambda: _("the names of staff members"),
        re.compile(
            rf"\b(who is|who's|whos|name of|names of|what is the name|what's the name|called)\b"
            rf"[^.?!]{{0,42}}\b{PERSON}\b|\b{PERSON}('s)? names?\b|"
            r"\bwho is (its|their) (head|boss|director|chief)\b"
        ),
    ),
    (
        lambda: _("credit requirements"),
        re.compile(
            r"\bhow many (ects|credits?|credit points)\b|\btransfer (my|our) (ects )?credits\b|"
            r"\b(my|our) credits\b|\b(ects|credits?)\b[^.?!]{0,32}"
            r"\b(need|needed|required|requirement|minimum)\b|\bgpa\b|\bminimum grades?\b"
        ),
    ),
    (
        lambda: _("how long an exchange or a degree lasts"),
        re.compile(
            r"\bhow long\b[^.?!]{0,50}\b(exchange|mevlana|erasmus|stay|semester|mobility|"
            r"degree|master'?s?|bachelor'?s?|phd|study|studies|program|programme)\b|"
            r"\b(duration|length) of (the |a |an )?(exchange|stay|mobility|mevlana|erasmus|"
            r"degree|master'?s?|bachelor'?s?|program|programme|studies)\b"
        ),
    ),
    (
        lambda: _("age limits"),
        re.compile(
            r"\b(minimum|maximum|max|min)\s+age\b|\bage (limit|requirement|restricti"
            r"on)s?\b|\bhow old\b"
        ),
    ),
    (lambda: _("rankings"), re.compile(r"\b(ranking|rankings|ranked|rank)\b")),
    (
        lambda: _("whether the university is public or private"),
        re.compile(
            r"\b(public or private|private or public|state or private|private univer"
            r"sity|public university|state university)\b"
        ),
    ),
    (
        lambda: _("application deadlines"),
        re.compile(
            r"\b(deadlines?|due date|last date|intake|application period|when (can|s"
            r"hould|do|must) i apply)\b"
        ),
    ),
    (
        lambda: _("the documents an application needs"),
        re.compile(
            r"\b(documents?|paperwork|transcripts?)\b[^.?!]{0,42}\b(need|needed|requ"
            r"ired|submit|send|bring)\b|\bwhich documents\b|\bwhat documents\b"
        ),
    ),
    (
        lambda: _("language requirements"),
        re.compile(
            r"\b(ielts|toefl|duolingo|language (test|certificate|requirements?|level|score)|"
            r"english level|level of english)\b|\b(need|have|required|must|should) (to )?"
            r"(speak|know|learn) (azerbaijani|russian|turkish|english|the language|any language|"
            r"the local language)\b"
        ),
    ),
    (
        lambda: _("accommodation"),
        re.compile(
            r"\b(dorms?|dormitor(y|ies)|hostels?|accommodation|housing|apartments?|"
            r"where (can|will|would|do) i live|place to (live|stay))\b"
        ),
    ),
    (
        lambda: _("visas and residence permits"),
        re.compile(r"\b(visas?|residence permits?|migration card|work permits?)\b"),
    ),
    (lambda: _("airport pick-up"), re.compile(r"\b(airport|pick ?up|pick me up|meet me)\b")),
    (
        lambda: _("buddy or mentor programmes"),
        re.compile(r"\b(buddy|buddies|mentors?|mentoring|mentorship)\b"),
    ),
    (lambda: _("volunteering"), re.compile(r"\bvolunteer(s|ing)?\b")),
    (
        lambda: _("the number of places"),
        re.compile(r"\bhow many\b[^.?!]{0,25}\b(places|seats|spots|vacancies|positions|quotas?)\b"),
    ),
    (
        lambda: _(
            "the dates of next rounds, events and plans (the page describes the situation as of "
            "its date)"
        ),
        re.compile(
            r"\b(this year|next year|upcoming|planned|plans? for|coming (year|semester|summer)|"
            r"next (semester|summer|month|round|edition|call|competition|event|intake|season))\b"
        ),
    ),
    (
        lambda: _("bringing family members"),
        re.compile(r"\b(bring|with) (my )?(family|wife|husband|kids|children|spouse)\b"),
    ),
    (
        lambda: _("the number of foreign lecturers and staff"),
        re.compile(
            r"\b(how many|number of)\b[^.?!]{0,20}\b(foreign|international)\s+(lecturers|"
            r"teachers|professors|staff|faculty|academics)\b"
        ),
    ),
    (
        lambda: _("when the university was founded"),
        re.compile(
            r"\b(when|what year) (was|were|is|did)\b[^.?!]{0,32}\b(founded|established|opened)\b|"
            r"\bfounding year\b"
        ),
    ),
    (
        lambda: _("teaching in languages other than English"),
        re.compile(
            r"\b(taught|teach|teaching|courses?|classes|lessons|study|learn)\b[^.?!]{0,25}"
            r"\b(spanish|french|german|arabic|persian|farsi|chinese|italian|portuguese|japanese|"
            r"korean|hindi|urdu|turkish|russian|azerbaijani)\b"
        ),
    ),
    (
        lambda: _("who can take part and on what conditions"),
        re.compile(
            r"\b(do|does|will|would) (they|it|you|the project|the programme|beu) (accept|admit)\b|"
            r"\b(eligible|eligibility|requirements? to (join|apply|take part))\b|"
            r"\bcan (bachelor|undergraduate|first[- ]year|second[- ]year|master'?s?) students "
            r"(join|take part|apply|participate)\b"
        ),
    ),
    (
        lambda: _("yearly numbers of admitted students and winners"),
        re.compile(
            r"\bhow many\b[^.?!]{0,42}\b(accepted|admitted|won|win|awarded|receive|received|"
            r"enrolled|enroll|enrol|graduated|applied|apply)\b"
        ),
    ),
    (
        lambda: _("how to apply"),
        re.compile(
            r"\bhow (do|can|should|would|does) (i|we|one|students?|staff|employees?) (apply|"
            r"register|sign up)\b|\bapplication (process|procedure|form)\b"
        ),
    ),
    (
        lambda: _("jobs and part-time work"),
        re.compile(r"\b(part[- ]time (job|work)|work while|student jobs?)\b"),
    ),
    (lambda: _("health insurance"), re.compile(r"\b(health )?insurance\b")),
    (
        lambda: _("semester dates"),
        re.compile(
            r"\b(academic calendar|when does the (semester|term|academic year) start"
            r"|semester (starts?|dates?)|start date)\b"
        ),
    ),
]


def unanswered_detail(text: str | None) -> str | None:
    """The kind of detail the question asks for that the knowledge base never holds, if any, named
    in the reply's language (the honest reply says it: "I don't have information about ...")."""
    folded = strip_accents(text or "").lower().replace("’", "'")
    for subject, pattern in DETAILS:
        if pattern.search(folded):
            return subject()
    return None
