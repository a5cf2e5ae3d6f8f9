"""The Send API client against the fake Graph API (bot/rasa_server/channels/messenger.py): a
Graph API that hangs is waited for a bounded time, retried, and given up on with a log line."""

from __future__ import annotations

import logging

from bot.rasa_server.channels.messenger import GraphClient
from tests.helpers import run_coroutine
from tests.rasa_server.channels.fake_graph import FakeGraph


def test_a_hanging_send_api_is_given_up_after_bounded_retries_and_logged(caplog):
    graph = FakeGraph()
    graph.hold()

    async def send() -> tuple[bool, bool]:
        client = GraphClient("token", graph.url, timeout_seconds=0.3, attempts=2)
        try:
            hung = await client.send("1234", {"text": "hello"})
            graph.release()
            recovered = await client.send("1234", {"text": "hello again"})
        finally:
            await client._client().close()
        return hung, recovered

    try:
        with caplog.at_level(logging.WARNING):
            hung, recovered = run_coroutine(send())
    finally:
        graph.close()
    assert hung is False, "gave up"
    assert "gave up sending to 1234 after 2 attempts" in caplog.text
    assert recovered is True, "and sends again once the API answers"
