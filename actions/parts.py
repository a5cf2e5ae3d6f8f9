"""Answer every question of a message, in one reply, in order.

The Rasa server marks the questions of a message and gives each its own intent
(bot/rasa_server/nlu/question_parts.py); the dialogue then runs the first question's answer
action, which answers them all here. Each question goes through the same steps as a message
that asks one thing (answer_question), so a part gets exactly the answer it would get alone.
"""

from __future__ import annotations

import importlib
import re
from typing import Dict, List, Tuple

from rasa_sdk import Tracker

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, office
from bot.answers.base import source_line
from bot.links import echo
from bot.understanding.details import unanswered_detail
from bot.understanding.split import MAX_PARTS

ACTION_MODULES = ("exchange", "office", "programmes", "projects", "students", "follow_up")
PART_MIN_CONFIDENCE = 0.3  # as FallbackClassifier's threshold in config.yml
HEADING_LENGTH = 90
SOURCE = re.compile(r"\n*_Source: [^\n]*_\s*$")


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
    """One question: an unknown detail of a known topic is declined honestly before any
    neighbouring fact is offered; otherwise the action answers."""
    detail = unanswered_detail(question.text)
    if detail is not None:
        return office.not_covered(detail)
    return await action.reply_to(question)


async def answer_message(action: AnswerAction, tracker: Tracker) -> Tuple[Answer, List[str]]:
    """The reply to the latest message, and the questions of it that went unanswered."""
    message = tracker.latest_message or {}
    parts = message.get("question_parts") or []
    left_out = int(message.get("question_parts_left_out") or 0)
    if len(parts) < 2 and not left_out:
        question = Question.whole(tracker)
        reply = await answer_question(action, question)
        return reply, [] if reply.known else [question.text]
    replies: List[Tuple[Question, Answer]] = []
    for part in parts:
        question = Question.part(tracker, part)
        part_action = action_for(
            question.intent if question.confidence >= PART_MIN_CONFIDENCE else "nlu_fallback"
        )
        if part_action is None:
            continue
        reply = await answer_question(part_action, question)
        if reply.topic == "unavailable":
            return reply, []
        replies.append((question, reply))
    if not replies:
        question = Question.whole(tracker)
        reply = await answer_question(action, question)
        return reply, [] if reply.known else [question.text]
    unanswered = [q.text for q, r in replies if not r.known]
    return combine(replies, left_out), unanswered


def combine(replies: List[Tuple[Question, Answer]], left_out: int = 0) -> Answer:
    """One short section per question, in order. A paragraph already said (the office's
    contacts after two "not covered" parts) is not repeated, and one source line closes it."""
    said: set = set()
    sections: List[str] = []
    for question, reply in replies:
        paragraphs = [p for p in SOURCE.sub("", reply.text).split("\n\n") if p.strip()]
        fresh = [p for p in paragraphs if p.strip() not in said]
        said.update(p.strip() for p in fresh)
        if not fresh:
            continue  # the same answer as an earlier question's
        heading = echo(question.text)
        if len(heading) > HEADING_LENGTH:
            heading = heading[: HEADING_LENGTH - 1].rsplit(" ", 1)[0] + "…"
        sections.append(f"**{len(sections) + 1}. {heading}**\n" + "\n\n".join(fresh))
    if left_out:
        sections.append(
            f"You asked {len(replies) + left_out} questions; I've answered the first "
            f"{MAX_PARTS}. Please send me the other {left_out} in another message."
        )
    answered = [r for _, r in replies if r.known]
    last = answered[-1] if answered else replies[-1][1]
    facts = [fact for _, r in replies for fact in r.facts]
    text = "\n\n".join(sections)
    if facts:
        text += "\n\n" + source_line(facts)
    return Answer(
        text,
        list(last.buttons),
        last.topic,
        known=bool(answered),
        subject=dict(last.subject),
        facts=facts,
    )
