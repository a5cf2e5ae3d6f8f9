"""Actions about the international student body and scholarship support."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import AnswerAction, latest_entity
from bot.answers import Answer, students


class ActionInternationalStudents(AnswerAction):
    action_name = "action_international_students"

    def answer(self, tracker: Tracker) -> Answer:
        return students.international_students(latest_entity(tracker, "country"))


class ActionScholarships(AnswerAction):
    action_name = "action_scholarships"

    def answer(self, tracker: Tracker) -> Answer:
        return students.scholarships(latest_entity(tracker, "scholarship"))
