"""Messenger in the student's language, through the real webhook and a fake Graph API: nothing
in our channels fixes English. A Russian question is answered in Russian, and the Rasa server's
own replies (the guard's, the note on attachments) follow the sender's language."""

from __future__ import annotations

import re

import pytest

from bot.i18n import speaking
from bot.rasa_server.channels.messenger import only_text_reply
from bot.rasa_server.channels.render import markdown_to_messenger
from bot.rasa_server.guard import too_long_reply
from tests.rasa_server.channels.test_messenger import delivery, event, new_sender, post

pytestmark = pytest.mark.e2e

RUSSIAN = "какие программы преподаются на английском?"
TURKISH = "hangi bölümler İngilizce okutuluyor?"
IMAGE = {"attachments": [{"type": "image", "payload": {"url": "https://example.org/cat.png"}}]}


def cyrillic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(bool(re.match("[а-яё]", c, re.I)) for c in letters) / max(1, len(letters))


def test_an_attachment_after_a_russian_message_gets_the_note_in_russian(servers, fake_graph):
    sender = new_sender()
    assert post(servers, delivery(event(sender, RUSSIAN)))[0] == 200
    answered = len(fake_graph.messages_to(sender))
    assert answered >= 1
    assert post(servers, delivery(event(sender, **IMAGE)))[0] == 200
    with speaking("ru"):
        expected = markdown_to_messenger(only_text_reply())
    for count in range(answered + 1, answered + 4):  # an answer may arrive in several parts
        texts = [m["message"]["text"] for m in fake_graph.messages_to(sender, count=count)]
        if expected in texts:
            break
    assert texts[-1] == expected, texts
    assert cyrillic_share(expected) > 0.9


def test_a_too_long_turkish_message_is_refused_in_turkish(servers, fake_graph):
    sender = new_sender()
    assert post(servers, delivery(event(sender, TURKISH + " " + "ğ" * 2100)))[0] == 200
    (reply,) = fake_graph.messages_to(sender)
    with speaking("tr"):
        assert reply["message"]["text"] == markdown_to_messenger(too_long_reply(2000))
    assert "2.000 karakterden" in reply["message"]["text"]


def test_a_russian_question_is_answered_in_russian(servers, fake_graph):
    sender = new_sender()
    assert post(servers, delivery(event(sender, RUSSIAN)))[0] == 200
    (reply,) = fake_graph.messages_to(sender)
    assert cyrillic_share(reply["message"]["text"]) > 0.5
