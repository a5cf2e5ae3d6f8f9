"""How an Answer leaves the action server: every reply of every action is sent here, with one
short line when some of its facts' free text had no translation in the reply's language."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Answer
from bot.i18n import untranslated_note


def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    note = untranslated_note()
    text = f"{answer.text}\n\n{note}" if note else answer.text
    dispatcher.utter_message(
        text=text, buttons=[{"title": b.title, "payload": b.payload} for b in answer.buttons]
    )
