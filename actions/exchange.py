"""Actions about exchange programmes, partners and mobility figures."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import AnswerAction, destination_country, organisation_named
from bot.answers import Answer, exchange


class ActionExchangeProgrammes(AnswerAction):
    action_name = "action_exchange_programmes"

    def answer(self, tracker: Tracker) -> Answer:
        country = destination_country(tracker)  # "can I do an exchange in Poland?"
        return exchange.partners_in(country) if country else exchange.exchange_overview()


class ActionErasmus(AnswerAction):
    action_name = "action_erasmus"

    def answer(self, tracker: Tracker) -> Answer:
        country = destination_country(tracker)
        return exchange.partners_in(country) if country else exchange.erasmus()


class ActionMevlana(AnswerAction):
    action_name = "action_mevlana"

    def answer(self, tracker: Tracker) -> Answer:
        return exchange.mevlana()


class ActionBilateral(AnswerAction):
    action_name = "action_bilateral"

    def answer(self, tracker: Tracker) -> Answer:
        return exchange.bilateral()


class ActionPartners(AnswerAction):
    action_name = "action_partners"

    def answer(self, tracker: Tracker) -> Answer:
        return exchange.partners(destination_country(tracker), organisation_named(tracker))


class ActionMobilityNumbers(AnswerAction):
    action_name = "action_mobility_numbers"

    def answer(self, tracker: Tracker) -> Answer:
        return exchange.mobility()
