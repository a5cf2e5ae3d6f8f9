"""Actions about study programmes."""

from __future__ import annotations

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, programmes


class ActionEnglishProgrammes(AnswerAction):
    action_name = "action_english_programmes"

    def answer(self, question: Question) -> Answer:
        return programmes.english_programmes(question.entity("department"))


class ActionPopularDepartments(AnswerAction):
    action_name = "action_popular_departments"

    def answer(self, question: Question) -> Answer:
        return programmes.popular_departments()


class ActionDualDegree(AnswerAction):
    action_name = "action_dual_degree"

    def answer(self, question: Question) -> Answer:
        return programmes.dual_degree(question.entity("department"))
