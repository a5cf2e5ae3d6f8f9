"""Actions about the office, admissions, contacts, the source, and what the page doesn't cover."""

from __future__ import annotations

from typing import Callable, List, Tuple

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, exchange, knowledge, office, projects, students
from bot.answers.base import merge
from bot.i18n import _

# Words that tell which practical detail a student asked about, to name it in the honest reply
# (named in the reply's language when one matches: a frame translated then, not at import).
UNCOVERED_SUBJECTS: List[Tuple[Callable[[], str], Tuple[str, ...]]] = [
    (
        lambda: _("tuition fees and costs"),
        ("fee", "tuition", "cost", "price", "pay", "money", "expensive", "cheap"),
    ),
    (
        lambda: _("application deadlines"),
        ("deadline", "last date", "when can i apply", "until when", "intake"),
    ),
    (
        lambda: _("required documents"),
        ("document", "paper", "certificate", "transcript", "diploma", "passport"),
    ),
    (
        lambda: _("language requirements"),
        ("ielts", "toefl", "duolingo", "language score", "english level", "language test"),
    ),
    (
        lambda: _("accommodation"),
        ("dorm", "hostel", "accommodation", "housing", "room", "live", "apartment"),
    ),
    (
        lambda: _("visas and residence permits"),
        ("visa", "residence", "permit", "migration card", "registration"),
    ),
    (lambda: _("entrance exams"), ("exam", "test", "entrance")),
    (
        lambda: _("semester dates"),
        ("semester start", "start date", "academic calendar", "when does the semester"),
    ),
]


def uncovered_subject(text: str | None) -> str | None:
    lowered = (text or "").lower()
    for subject, words in UNCOVERED_SUBJECTS:
        if any(word in lowered for word in words):
            return subject()
    return None


class ActionOffice(AnswerAction):
    action_name = "action_office"

    def answer(self, question: Question) -> Answer:
        return office.office()


class ActionAdmissions(AnswerAction):
    action_name = "action_admissions"

    def answer(self, question: Question) -> Answer:
        return office.admissions()


class ActionContact(AnswerAction):
    action_name = "action_contact"

    def answer(self, question: Question) -> Answer:
        return office.contact()


class ActionNotCovered(AnswerAction):
    action_name = "action_not_covered"
    consult_faq = True

    def answer(self, question: Question) -> Answer:
        text = question.text
        subject = uncovered_subject(text)
        if subject is None:  # "when was the winter school in India?" is about a project event
            project = knowledge().project_for_text(text)
            if project:
                return projects.related_project(project.acronym)
        return office.not_covered(subject)


class ActionOutOfScope(AnswerAction):
    """Weather, football, flights: a staff FAQ answer if one matches, else a polite refusal."""

    action_name = "action_out_of_scope"
    consult_faq = True

    def answer(self, question: Question) -> Answer:
        return office.out_of_scope()


class ActionSource(AnswerAction):
    action_name = "action_source"

    def answer(self, question: Question) -> Answer:
        return office.source_info()


class ActionHonestFallback(AnswerAction):
    """When the message was not understood: say so, never guess, and say who can help."""

    action_name = "action_honest_fallback"
    consult_faq = True

    def answer(self, question: Question) -> Answer:
        # Not understood, but a project, university or scholarship we know was named: say what
        # we know about it ("does BEU take part in Horizon 2020?") rather than nothing.
        project = question.entity("project")
        if project:
            return projects.project(project, "details")
        organisation = question.organisation()
        if organisation:
            return exchange.partner_organisation(organisation)
        scholarship = question.entity("scholarship")
        if scholarship:
            return students.scholarships(scholarship)
        countries = question.destination_countries()  # "any cooperation with France?"
        if countries:
            return merge([exchange.partners_in(country) for country in countries])
        mentioned = knowledge().project_for_text(question.text)
        if mentioned:
            return projects.related_project(mentioned.acronym)
        return office.not_understood(question.text if question.is_part else None)
