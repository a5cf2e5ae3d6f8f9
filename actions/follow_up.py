"""Elliptical follow-ups ("what about Latvia?", "and CRENG?"): repeat the last question about a
new subject, using the topic the previous answer recorded."""

from __future__ import annotations

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, exchange, office, projects, students


class ActionFollowUp(AnswerAction):
    action_name = "action_follow_up"

    def answer(self, question: Question) -> Answer:
        return repeat_about(question) or office.not_understood()


def repeat_about(question: Question) -> Answer | None:
    """The last question again, about the subject this one names; None when it names none."""
    topic = question.slot("topic") or ""
    project = question.entity("project")
    country = question.entity("country")
    scholarship = question.entity("scholarship")
    if project:
        aspect = topic.removeprefix("project_") if topic.startswith("project_") else "details"
        return projects.project(project, aspect if aspect in projects.ASPECTS else "details")
    if country:
        if topic == "students":
            return students.international_students(country)
        return exchange.partners_in(country)
    if scholarship:
        return students.scholarships(scholarship)
    return None
