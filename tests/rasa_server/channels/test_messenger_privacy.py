"""Messenger tells a new conversation, once, that staff may read it, with a link to the privacy
page, in the conversation's language: through the real webhook and the fake Graph API."""

from __future__ import annotations

import pytest

from bot.i18n import speaking
from bot.privacy.notice import notice_sentence
from tests.rasa_server.channels.fake_graph import is_privacy_notice
from tests.rasa_server.channels.test_messenger import delivery, event, new_sender, post

pytestmark = pytest.mark.e2e


def texts(messages) -> list[str]:
    return [m["message"]["text"] for m in messages]


def test_the_notice_comes_once_after_the_first_answer(servers, fake_graph):
    sender = new_sender()
    assert post(servers, delivery(event(sender, "Who coordinates PROMIG?")))[0] == 200
    first = fake_graph.messages_to(sender, count=2, notices=True)
    assert not is_privacy_notice(first[0]) and is_privacy_notice(first[-1]), texts(first)
    notice = first[-1]["message"]["text"]
    assert notice.startswith(notice_sentence())
    assert "/privacy?lang=en" in notice
    answers = len(fake_graph.messages_to(sender))

    assert post(servers, delivery(event(sender, "and the project's aims?")))[0] == 200
    fake_graph.messages_to(sender, count=answers + 1)
    everything = fake_graph.messages_to(sender, timeout=0.5, notices=True)
    assert sum(map(is_privacy_notice, everything)) == 1, texts(everything)


def test_the_notice_is_in_the_conversations_language(servers, fake_graph):
    sender = new_sender()
    assert post(servers, delivery(event(sender, "какие программы преподаются на английском?")))
    messages = fake_graph.messages_to(sender, count=2, notices=True)
    (notice,) = [m["message"]["text"] for m in messages if is_privacy_notice(m)]
    with speaking("ru"):
        assert notice.startswith(notice_sentence())
    assert "/privacy?lang=ru" in notice
