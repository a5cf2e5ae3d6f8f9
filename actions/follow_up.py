"""Elliptical follow-ups ("what about Latvia?", "and CRENG?"): repeat the last question about a
new subject, using the topic the previous answer recorded."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import AnswerAction, latest_entity
from bot.answers import Answer, exchange, office, projects, students


class ActionFollowUp(AnswerAction):
    action_name = "action_follow_up"

    def answer(self, tracker: Tracker) -> Answer:
        topic = tracker.get_slot("topic") or ""
        project = latest_entity(tracker, "project")
        country = latest_entity(tracker, "country")
        scholarship = latest_entity(tracker, "scholarship")
        if project:
            aspect = topic.removeprefix("project_") if topic.startswith("project_") else "details"
            return projects.project(project, aspect if aspect in projects.ASPECTS else "details")
        if country:
            if topic == "students":
                return students.international_students(country)
            return exchange.partners_in(country)
        if scholarship:
            return students.scholarships(scholarship)
        return office.not_understood()
