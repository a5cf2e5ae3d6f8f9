"""Actions about international projects; aspects of a project fall back to the one in context."""

from __future__ import annotations

import re

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, knowledge, projects

MEMBERS_ASKED = re.compile(
    r"\b(which|what|list|names? of|how many)\b[^?.]{0,42}\b(universities|partners|members|"
    r"institutions|organi[sz]ations)\b",
    re.I,
)


LED_FROM = re.compile(r"\b(coordinat\w*|led|leads|lead|run|runs|based)\s+(from|in|by)\b", re.I)


def with_members_honesty(question: Question, reply: Answer) -> Answer:
    """A project's answer to "which universities are in it exactly?" says the page doesn't list
    them all (applied to every question's answer: actions/parts.py)."""
    acronym = reply.subject.get("project")
    if (
        acronym
        and (reply.topic or "").startswith("project")
        and MEMBERS_ASKED.search(question.text)
    ):
        return projects.members_not_listed(reply, acronym)
    return reply


class ActionProjects(AnswerAction):
    action_name = "action_projects"

    def answer(self, question: Question) -> Answer:
        organisation = question.organisation()
        if organisation:
            return projects.projects_with(organisation)
        countries = question.destination_countries()
        if not countries and LED_FROM.search(
            question.text
        ):  # "the project coordinated from Sweden"
            countries = [e["value"] for e in question.entities if e.get("entity") == "country"]
        if countries:
            return projects.projects_in(countries[0])
        return projects.projects_overview()


def _project_in_text(question: Question) -> str | None:
    found = knowledge().project_for_text(question.text)
    return found.acronym if found else None


def _aspect(question: Question, aspect: str) -> Answer:
    """One aspect of the project named now, else of an organisation's projects, else the one
    being discussed."""
    if not question.entity("project"):
        organisation = question.organisation()
        if organisation and aspect == "details":
            return projects.projects_with(organisation)
    project = question.entity("project") or _project_in_text(question)
    project = project or question.slot("project")
    if project is None and aspect in ("details", "coordinator", "period"):
        # "what is KA2?", "which universities coordinate your projects?": the overview, which
        # gives every project's coordinator and period, answers it.
        return projects.projects_overview()
    return projects.project(project, aspect)


class ActionProjectDetails(AnswerAction):
    action_name = "action_project_details"

    def answer(self, question: Question) -> Answer:
        return _aspect(question, "details")


class ActionProjectCoordinator(AnswerAction):
    action_name = "action_project_coordinator"

    def answer(self, question: Question) -> Answer:
        return _aspect(question, "coordinator")


EVENT = re.compile(
    r"\b(summer school|winter school|training|trainings|meeting|meetings|conference|seminar|"
    r"workshop|event|events|visit|visited|study visit)\b",
    re.I,
)


class ActionProjectPeriod(AnswerAction):
    action_name = "action_project_period"

    def answer(self, question: Question) -> Answer:
        # "when was its summer school?" asks for an event's date, not the project's period
        return _aspect(question, "activities" if EVENT.search(question.text) else "period")


class ActionProjectAims(AnswerAction):
    action_name = "action_project_aims"

    def answer(self, question: Question) -> Answer:
        return _aspect(question, "aims")


class ActionProjectActivities(AnswerAction):
    action_name = "action_project_activities"

    def answer(self, question: Question) -> Answer:
        return _aspect(question, "activities")
