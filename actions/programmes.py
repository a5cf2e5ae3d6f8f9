"""Actions about study programmes."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import AnswerAction, latest_entity
from bot.answers import Answer, programmes


class ActionEnglishProgrammes(AnswerAction):
    action_name = "action_english_programmes"

    def answer(self, tracker: Tracker) -> Answer:
        return programmes.english_programmes(latest_entity(tracker, "department"))


class ActionPopularDepartments(AnswerAction):
    action_name = "action_popular_departments"

    def answer(self, tracker: Tracker) -> Answer:
        return programmes.popular_departments()


class ActionDualDegree(AnswerAction):
    action_name = "action_dual_degree"

    def answer(self, tracker: Tracker) -> Answer:
        return programmes.dual_degree()
