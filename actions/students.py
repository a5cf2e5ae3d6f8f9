"""Actions about the international student body and scholarship support."""

from __future__ import annotations

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, students


class ActionInternationalStudents(AnswerAction):
    action_name = "action_international_students"

    def answer(self, question: Question) -> Answer:
        return students.international_students(question.students_country())


class ActionScholarships(AnswerAction):
    action_name = "action_scholarships"

    def answer(self, question: Question) -> Answer:
        return students.scholarships(question.entity("scholarship"))
