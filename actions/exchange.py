"""Actions about exchange programmes, partners and mobility figures."""

from __future__ import annotations

from actions.base import AnswerAction
from actions.question import Question
from bot.answers import Answer, exchange


class ActionExchangeProgrammes(AnswerAction):
    action_name = "action_exchange_programmes"

    def answer(self, question: Question) -> Answer:
        country = question.destination_country()  # "can I do an exchange in Poland?"
        return exchange.partners_in(country) if country else exchange.exchange_overview()


class ActionErasmus(AnswerAction):
    action_name = "action_erasmus"

    def answer(self, question: Question) -> Answer:
        country = question.destination_country()
        return exchange.partners_in(country) if country else exchange.erasmus()


class ActionMevlana(AnswerAction):
    action_name = "action_mevlana"

    def answer(self, question: Question) -> Answer:
        return exchange.mevlana()


class ActionBilateral(AnswerAction):
    action_name = "action_bilateral"

    def answer(self, question: Question) -> Answer:
        return exchange.bilateral()


class ActionPartners(AnswerAction):
    action_name = "action_partners"

    def answer(self, question: Question) -> Answer:
        return exchange.partners(question.destination_country(), question.organisation())


class ActionMobilityNumbers(AnswerAction):
    action_name = "action_mobility_numbers"

    def answer(self, question: Question) -> Answer:
        return exchange.mobility()
