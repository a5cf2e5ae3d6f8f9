"""Actions about exchange programmes, partners and mobility figures."""

from __future__ import annotations

from typing import List

from actions.base import AnswerAction
from actions.projects import MEMBERS_ASKED
from actions.question import Question
from bot.answers import Answer, exchange, projects
from bot.answers.base import merge
from bot.i18n import _


def partners_in_each(countries: List[str]) -> Answer:
    """Partners in each country asked about ("Latvia or Finland?"), in one answer."""
    return merge([exchange.partners_in(country) for country in countries])


class ActionExchangeProgrammes(AnswerAction):
    action_name = "action_exchange_programmes"

    def answer(self, question: Question) -> Answer:
        countries = question.destination_countries()  # "can I do an exchange in Poland?"
        if countries:
            return partners_in_each(countries)
        organisation = question.organisation()  # "is Linköping an exchange partner of yours?"
        if organisation:
            return exchange.partner_organisation(organisation)
        return exchange.exchange_overview()


def programme_in_each(programme_id: str, countries: List[str]) -> Answer:
    return merge([exchange.programme_in(programme_id, country) for country in countries])


class ActionErasmus(AnswerAction):
    action_name = "action_erasmus"

    def answer(self, question: Question) -> Answer:
        countries = question.destination_countries()  # "can I do Erasmus in Sweden?"
        return programme_in_each("erasmus_ka1", countries) if countries else exchange.erasmus()


class ActionMevlana(AnswerAction):
    action_name = "action_mevlana"

    def answer(self, question: Question) -> Answer:
        countries = question.destination_countries()
        return programme_in_each("mevlana", countries) if countries else exchange.mevlana()


class ActionBilateral(AnswerAction):
    action_name = "action_bilateral"

    def answer(self, question: Question) -> Answer:
        countries = question.destination_countries()
        return programme_in_each("bilateral", countries) if countries else exchange.bilateral()


class ActionPartners(AnswerAction):
    action_name = "action_partners"

    def answer(self, question: Question) -> Answer:
        project = question.entity("project")
        if project and (
            not question.destination_countries() or MEMBERS_ASKED.search(question.text)
        ):
            # "which universities are in CRENG?"
            return projects.project(project, "details")
        countries = question.destination_countries()
        if len(countries) > 1:
            return partners_in_each(countries)
        return exchange.partners(question.destination_country(), question.organisation())


class ActionMobilityNumbers(AnswerAction):
    action_name = "action_mobility_numbers"

    def answer(self, question: Question) -> Answer:
        project = question.entity("project")
        if project:  # "how many BEU staff went to PAWER's trainings?": not the overall figures
            reply = projects.project(project, "activities")
            reply.text = _(
                "The page doesn't give a number of BEU people for all of **{project}**'s "
                "activities; this is what it says about them:\n\n{answer}",
                project=project,
                answer=reply.text,
            )
            return reply
        return exchange.mobility()
