"""Answer every question of a message, in one reply, in order.

The Rasa server marks the questions of a message and gives each its own intent
(bot/rasa_server/nlu/question_parts.py); the dialogue then runs the first question's answer
action, which answers them all here. Each question goes through the same steps as a message
that asks one thing (answer_question), so a part gets exactly the answer it would get alone.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
from dataclasses import replace
from typing import Any, Callable, Dict, List, Tuple, TypeVar

from rasa_sdk import Tracker

from actions.base import AnswerAction
from actions.context import DEFINITE, answer_from_context
from actions.projects import with_members_honesty
from actions.question import Question
from actions.reply import analytics_part
from bot.answers import Answer, office
from bot.answers.base import lookup_unavailable, merge
from bot.faq.service import faq_answer, faq_warmed, faq_warming
from bot.i18n import _, n_, number
from bot.links import echo
from bot.understanding.details import unanswered_detail
from bot.understanding.facts import answer_from_facts, find_facts, find_of_topic
from bot.understanding.facts import ready as facts_ready
from bot.understanding.premise import check_premise
from bot.understanding.split import MAX_PARTS

log = logging.getLogger(__name__)
T = TypeVar("T")
ACTION_MODULES = ("exchange", "office", "programmes", "projects", "students", "follow_up")
# Intents whose answer already says what the page doesn't cover, and who to ask (admissions:
# "how do I apply?" gets the office that handles it).
OWN_HONEST_ANSWER = {"ask_admissions", "ask_contact"}
PART_MIN_CONFIDENCE = 0.3
# A description has words to match ("the EU project on crises in transport"); "your projects?"
# is a request for the overview, and retrieval is unreliable on two words.
DESCRIPTION_WORDS = 5
PROJECT_WORD = re.compile(r"\bprojects?\b", re.I)
PROJECT_ASPECT_INTENTS = {
    "ask_project_coordinator": "coordinator",
    "ask_project_period": "period",
    "ask_project_aims": "aims",
    "ask_project_activities": "activities",
}
# Intents that answer with an overview or ask "which one?" when no subject is named: a
# described subject ("the EU project on transport crises") is looked up instead.
GENERAL_INTENTS = {
    None,
    "nlu_fallback",
    "out_of_scope",
    "follow_up",
    "ask_projects",
    "ask_project_details",
    "ask_project_coordinator",
    "ask_project_period",
    "ask_project_aims",
    "ask_project_activities",
    "ask_scholarships",
}  # as FallbackClassifier's threshold in config.yml
HEADING_LENGTH = 90


def _registry() -> Dict[str, AnswerAction]:
    for module in ACTION_MODULES:
        importlib.import_module(f"actions.{module}")
    found: Dict[str, AnswerAction] = {}
    pending = list(AnswerAction.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.action_name:
            found[cls.action_name] = cls()
    return found


_ACTIONS: Dict[str, AnswerAction] = {}


def action_for(intent: str | None) -> AnswerAction | None:
    """The answer action data/rules.yml runs for an intent (ask_x -> action_x); None for intents
    answered by a response (greetings, thanks) or by the handoff."""
    if not _ACTIONS:
        _ACTIONS.update(_registry())
    if not intent or intent == "nlu_fallback":
        return _ACTIONS["action_honest_fallback"]
    return _ACTIONS.get("action_" + intent.removeprefix("ask_"))


async def answer_question(action: AnswerAction, question: Question) -> Answer:
    """One question: one that points back at the previous answer is answered about it; one
    that asserts a fact gets it confirmed, corrected or "not stated"; an unknown detail of a
    known topic is declined honestly (unless staff answered it in the FAQ) before any
    neighbouring fact is offered; a general question that describes its subject is answered from
    the fact it describes; otherwise the action answers (staff FAQ first where it consults it)."""
    referred = answer_from_context(question)
    if referred is not None:
        return referred
    premise = _optional(check_premise, question.text, question.own_entities())
    if premise is not None:  # "NIZAMI was coordinated by Heidelberg, right?"
        return premise.answer
    detail = unanswered_detail(question.text)
    if detail is not None and question.intent not in OWN_HONEST_ANSWER:
        # a staff answer (airport pick-up, fees) beats "the page doesn't cover it"
        return await staff_answer_or(question, office.not_covered(detail), action.consult_faq)
    described = len(re.findall(r"[^\W\d_]{3,}", question.text)) >= DESCRIPTION_WORDS
    refers_back = bool(DEFINITE.search(question.text)) and bool(question.slot("project"))
    # "the German university in the doctoral-studies project": a country as an adjective of a
    # described project is not the project's name
    unnamed_project = question.entity("project") is None and bool(
        PROJECT_WORD.search(question.text)
    )
    faq_checked = False  # the staff FAQ searched already for this question (and nothing found)
    if (
        described
        and not refers_back  # "when was its summer school?": the project in context
        and (
            question.names_no_subject()
            or (unnamed_project and question.names_only_a_country_adjective())
        )
        and (question.intent in GENERAL_INTENTS or unnamed_project)
        and question.intent not in OWN_HONEST_ANSWER
    ):
        # A staff answer first, as the action would give it; then "the project about crises in
        # transport": no name, so find the fact it describes.
        faq_checked = action.consult_faq
        staff = await faq_answer(question.text) if faq_checked else None
        if staff is not None:
            return staff
        found = await described_fact(question)
        if found is not None:
            return found
    reply = with_members_honesty(question, await action.reply_to(question, faq_checked))
    not_understood = question.intent in (None, "nlu_fallback") or reply.topic == "fallback"
    if not reply.known and not_understood and question.names_no_subject():
        # only a message the model did not place: "not covered" is an answer, not a miss
        found = await described_fact(question)
        if found is not None:
            return found
    return reply


def _optional(step: Callable[..., T], *args: Any) -> T | None:
    """A step that can only improve an answer (the premise check, retrieval): if it fails, the
    student still gets the intent's answer, and the failure is logged, never shown."""
    try:
        return step(*args)
    except Exception:
        log.exception("%s failed; answering without it", getattr(step, "__name__", step))
        return None


async def staff_answer_or(question: Question, otherwise: Answer, consults: bool) -> Answer:
    """The staff's published FAQ answer to the question if there is one, else `otherwise`;
    while the FAQ is still loading, "try again in a minute" rather than "not covered". An
    action that doesn't consult the FAQ itself never pays its first load here (`consults`)."""
    if not (consults or faq_warmed()):
        return otherwise
    staff = await faq_answer(question.text)
    if staff is not None:
        return staff
    return lookup_unavailable() if faq_warming() else otherwise


async def described_fact(question: Question) -> Answer | None:
    """The answer about the fact the question describes, if retrieval is confident of one.
    Retrieval costs ~25 ms of CPU, so it runs in a thread, and only for questions that name
    no subject; until the index is loaded it is skipped (the intent's answer stands)."""
    if not facts_ready():
        return None
    text = question.text_with_context()
    hits = await asyncio.to_thread(_optional, find_facts, text) or []
    about_projects = (question.intent or "").startswith("ask_project") or PROJECT_WORD.search(text)
    if not hits and about_projects:
        hits = await asyncio.to_thread(_optional, find_of_topic, text, "project") or []
    if (
        hits
        and hits[0].topic == "project"
        and hits[0].aspect in (None, "details")
        and question.intent in PROJECT_ASPECT_INTENTS
    ):
        # "which university leads it?": the aspect asked, of the project described
        hits = [replace(hits[0], aspect=PROJECT_ASPECT_INTENTS[question.intent])]
    return answer_from_facts(hits, question.text) if hits else None


async def answer_message(action: AnswerAction, tracker: Tracker) -> Tuple[Answer, List[str]]:
    """The reply to the latest message, and the questions of it that went unanswered."""
    message = tracker.latest_message or {}
    parts = message.get("question_parts") or []
    left_out = int(message.get("question_parts_left_out") or 0)
    if len(parts) < 2 and not left_out:
        return await answer_whole(action, tracker)
    replies: List[Tuple[Question, Answer]] = []
    previous: Question | None = None
    previous_subject: Dict[str, str] = {}
    previous_topic: str | None = None
    for part in parts:
        question = Question.part(tracker, part, previous, previous_subject, previous_topic)
        part_action = action_for(
            question.intent if question.confidence >= PART_MIN_CONFIDENCE else "nlu_fallback"
        )
        if part_action is None:
            continue
        # One part that can't be looked up right now ("try again in a minute") doesn't stop
        # the others being answered.
        reply = await answer_question(part_action, question)
        replies.append((question, reply))
        previous, previous_subject, previous_topic = question, reply.subject, reply.topic
    if not replies:  # every part was chit-chat: the message as one question
        return await answer_whole(action, tracker)
    unanswered = [q.text for q, r in replies if not r.known and r.topic != "unavailable"]
    return combine(replies, len(parts) + left_out), unanswered


async def answer_whole(action: AnswerAction, tracker: Tracker) -> Tuple[Answer, List[str]]:
    question = Question.whole(tracker)
    reply = await answer_question(action, question)
    return reply, [] if reply.known else [question.text]


def combine(replies: List[Tuple[Question, Answer]], asked: int) -> Answer:
    """One short section per question, in order, headed by the question as the student wrote
    it; says so when more were asked than one reply answers."""
    headings = []
    for question, reply in replies:
        if reply.topic == "premise":
            # "You have 20 programmes in English, right?": not repeated back as a heading
            headings.append(_("What you wrote"))
            continue
        heading = echo(question.text, limit=HEADING_LENGTH)  # safe to show as markdown
        if question.text.rstrip().endswith("?") and not heading.endswith("…"):
            heading += "?"
        headings.append(heading)
    answers = [reply for _, reply in replies]
    if asked > MAX_PARTS:
        rest = asked - MAX_PARTS
        answered = n_(
            "You asked {asked} question; I've answered the first {answered}.",
            "You asked {asked} questions; I've answered the first {answered}.",
            asked,
            asked=number(asked),
            answered=number(MAX_PARTS),
        )
        send_rest = n_(
            "Please send me the other {rest} in another message.",
            "Please send me the other {rest} in another message.",
            rest,
            rest=number(rest),
        )
        answers.append(Answer(f"{answered} {send_rest}", [], None, known=False))
        headings.append(_("The other questions"))
    reply = merge(answers, headings)
    reply.known = any(r.known for _, r in replies)
    reply.parts = [
        analytics_part(getattr(question, "intent", None), answer) for question, answer in replies
    ]
    return reply
