"""Questions that only make sense after the previous answer: "and the second one?", "how many?"
right after a programme, "which universities are in it?" right after a project.

The previous answer left its topic, its subject (the project slot) and the items of any list it
showed (the `listed` slot, "kind:key" strings set from Answer.listed). A question that names no
subject of its own and points back at one of those is answered about it; anything else is left
to the intent's action.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List

from actions.follow_up import repeat_about
from actions.question import Question
from bot.answers import Answer, exchange, programmes, projects, students
from bot.answers.base import merge

ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "sixth": 5,
    "6th": 5,
    "seventh": 6,
    "7th": 6,
    "eighth": 7,
    "8th": 7,
    "ninth": 8,
    "9th": 8,
    "last": -1,
}
ORDINAL = re.compile(
    r"\b(?:the\s+)?(" + "|".join(ORDINALS) + r")\b(?:\s+(?:one|item|project|programme|program))?",
    re.I,
)
NUMBERED = re.compile(r"\b(?:number|no\.?|#)\s*(\d)\b", re.I)
BARE_COUNT = re.compile(r"^\W*(and\s+)?(so\s+)?how many\b[\w\s']{0,25}\??\W*$", re.I)
MEMBERS = re.compile(
    r"\b(which|what|who)\b[^?]{0,32}\b(universit(y|ies)|partners?|members?|institutions?|"
    r"organi[sz]ations?|countries)\b[^?]{0,20}\b(in it|in that|in this|involved|take part|"
    r"part of it|participat\w*|with it)\b",
    re.I,
)
EXCHANGE_TOPICS = {
    "erasmus_ka1": exchange.erasmus,
    "mevlana": exchange.mevlana,
    "bilateral": exchange.bilateral,
}
LIST_ITEMS: Dict[str, Callable[[str], Answer]] = {
    "project": lambda key: projects.project(key, "details"),
    "exchange": lambda key: (
        EXCHANGE_TOPICS.get(key) or (lambda: exchange.programme_answer(key, []))
    )(),
    "scholarship": lambda key: students.scholarships(key),
}
CORRECTION = re.compile(
    r"\b(i meant|i mean|meant to (say|ask|write)|sorry,? (i )?meant|not \w+,? but|instead of)\b",
    re.I,
)
WHICH_COUNTRIES = re.compile(
    r"^\W*(and\s+)?(so\s+)?(from\s+|in\s+)?(which|what)\s+countr(y|ies)\b[\w\s']{0,20}\??\W*$",
    re.I,
)
SUBJECT_ENTITIES = ("project", "country", "university", "organisation", "scholarship")


def answer_from_context(question: Question) -> Answer | None:
    """The answer to a question that refers back to the previous answer, if it does."""
    if CORRECTION.search(question.text):
        corrected = repeat_about(question)  # "oops, I meant Slovakia": the last question again
        if corrected is not None:
            return corrected
    in_it = _country_in_topic(question)
    if in_it is not None:
        return in_it
    if any(question.entity(name) for name in SUBJECT_ENTITIES):
        return None
    return (
        _list_item(question)
        or _count_of_topic(question)
        or _members_of_project(question)
        or _about_topic(question)
    )


def _list_item(question: Question) -> Answer | None:
    listed: List[str] = list(question.slot("listed") or [])
    if not listed:
        return None
    match = ORDINAL.search(question.text)
    if match:
        position = ORDINALS[match.group(1).lower()]
    else:
        numbered = NUMBERED.search(question.text)
        if not numbered:
            return None
        position = int(numbered.group(1)) - 1
    if not -len(listed) <= position < len(listed):
        return None
    kind, _, key = listed[position].partition(":")
    aspect = (question.intent or "").removeprefix("ask_project_")
    if kind == "project" and aspect in projects.ASPECTS:
        return projects.project(key, aspect)  # "who coordinates the second one?"
    render = LIST_ITEMS.get(kind)
    return render(key) if render else None


def _count_of_topic(question: Question) -> Answer | None:
    """A bare "how many?" (or "from which countries?") right after a programme is about that
    programme."""
    if not (BARE_COUNT.match(question.text) or WHICH_COUNTRIES.match(question.text)):
        return None
    topic = question.slot("topic") or ""
    if topic in EXCHANGE_TOPICS:
        return EXCHANGE_TOPICS[topic]()
    if topic == "students":
        return students.international_students()
    return None


def _members_of_project(question: Question) -> Answer | None:
    """ "Which universities are in it?" right after a project: that project's partners."""
    topic = question.slot("topic") or ""
    project = question.slot("project")
    if not (project and topic.startswith("project_") and MEMBERS.search(question.text)):
        return None
    return projects.project(project, "details")


# "it", "there", "the partner university": the subject of the previous answer.
DEFINITE = re.compile(
    r"\b(it|its|it's|that one|this one|there|in it|among them|one of them|the partner|"
    r"the partner university|the same|that programme|that project|this programme|"
    r"this project)\b",
    re.I,
)
# Intents that ask in general; with a definite reference they are about the last subject.
GENERAL_INTENTS = {
    "ask_partners",
    "ask_exchange_programmes",
    "ask_projects",
    "follow_up",
    "nlu_fallback",
    "ask_project_details",
    None,
}


def _about_topic(question: Question) -> Answer | None:
    """ "Where is the partner university?" right after the dual degree, "whose programme is it?"
    right after a project: the last subject again."""
    if question.intent not in GENERAL_INTENTS or not DEFINITE.search(question.text):
        return None
    topic = question.slot("topic") or ""
    if topic == "dual_degree":
        return programmes.dual_degree()
    if topic in EXCHANGE_TOPICS:
        return EXCHANGE_TOPICS[topic]()
    project = question.slot("project")
    if project and topic.startswith("project_"):
        return projects.project(project, "details")
    return None


def _country_in_topic(question: Question) -> Answer | None:
    """ "Is Finland there?" right after the Erasmus+ countries: whether that programme lists it."""
    topic = question.slot("topic") or ""
    countries = question.destination_countries()
    if topic not in EXCHANGE_TOPICS or not countries or not DEFINITE.search(question.text):
        return None
    return merge([exchange.programme_in(topic, country) for country in countries])
