"""Actions about the international student body and scholarship support."""

from __future__ import annotations

import re

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, knowledge, students


class ActionInternationalStudents(AnswerAction):
    action_name = "action_international_students"

    def answer(self, question: Question) -> Answer:
        how_many = bool(re.search(r"\bhow many\b|\bnumber of\b", question.text, re.I))
        country = question.students_country()
        return students.international_students(country, how_many=how_many and country is not None)


def _programme_named(question: Question) -> str | None:
    """An exchange programme named in the question, or meant by "it" right after a question
    about one ("what's Mevlana? can I get a scholarship through it?")."""
    index = knowledge()
    for programme in index.kb.exchange_programmes:
        names = [programme.name, *programme.aliases]
        if any(re.search(rf"\b{re.escape(n.lower())}\b", question.text.lower()) for n in names):
            return programme.name
        if programme.id == question.previous_topic and re.search(r"\bit\b", question.text, re.I):
            return programme.name
    return None


class ActionScholarships(AnswerAction):
    action_name = "action_scholarships"

    def answer(self, question: Question) -> Answer:
        # "do you help with DAAD scholarship applications?": a name that is not one of the
        # scholarships the page lists is said to be not mentioned, not answered as if it were.
        named = (
            question.entity("scholarship")
            or question.entity("project")
            or question.organisation()
            or _programme_named(question)
        )
        return students.scholarships(named)
