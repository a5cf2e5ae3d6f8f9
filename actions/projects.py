"""Actions about international projects; aspects of a project fall back to the one in context."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import AnswerAction, latest_entity, organisation_named
from bot.answers import Answer, knowledge, projects


class ActionProjects(AnswerAction):
    action_name = "action_projects"

    def answer(self, tracker: Tracker) -> Answer:
        organisation = organisation_named(tracker)
        if organisation:
            return projects.projects_with(organisation)
        return projects.projects_overview()


def _project_in_text(tracker: Tracker) -> str | None:
    found = knowledge().project_for_text(tracker.latest_message.get("text"))
    return found.acronym if found else None


def _aspect(tracker: Tracker, aspect: str) -> Answer:
    """One aspect of the project named now, else of an organisation's projects, else the one
    being discussed."""
    if not latest_entity(tracker, "project"):
        organisation = organisation_named(tracker)
        if organisation and aspect == "details":
            return projects.projects_with(organisation)
    project = latest_entity(tracker, "project") or _project_in_text(tracker)
    project = project or tracker.get_slot("project")
    if project is None and aspect in ("details", "coordinator", "period"):
        # "what is KA2?", "which universities coordinate your projects?": the overview, which
        # gives every project's coordinator and period, answers it.
        return projects.projects_overview()
    return projects.project(project, aspect)


class ActionProjectDetails(AnswerAction):
    action_name = "action_project_details"

    def answer(self, tracker: Tracker) -> Answer:
        return _aspect(tracker, "details")


class ActionProjectCoordinator(AnswerAction):
    action_name = "action_project_coordinator"

    def answer(self, tracker: Tracker) -> Answer:
        return _aspect(tracker, "coordinator")


class ActionProjectPeriod(AnswerAction):
    action_name = "action_project_period"

    def answer(self, tracker: Tracker) -> Answer:
        return _aspect(tracker, "period")


class ActionProjectAims(AnswerAction):
    action_name = "action_project_aims"

    def answer(self, tracker: Tracker) -> Answer:
        return _aspect(tracker, "aims")


class ActionProjectActivities(AnswerAction):
    action_name = "action_project_activities"

    def answer(self, tracker: Tracker) -> Answer:
        return _aspect(tracker, "activities")
