"""How an Answer leaves the action server: every reply of every action is sent here."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Answer


def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    dispatcher.utter_message(
        text=answer.text, buttons=[{"title": b.title, "payload": b.payload} for b in answer.buttons]
    )
