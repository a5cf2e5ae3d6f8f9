"""The widget's socket.io channel, for real: a socket.io client talks to the running server."""

from __future__ import annotations

import uuid

import pytest
import socketio

from bot.rasa_server.channels.socketio import is_session_id
from tests.helpers import run_coroutine
from tests.rasa_server.channels.widget_client import WidgetClient

pytestmark = pytest.mark.e2e


def run(coroutine):
    return run_coroutine(coroutine)


def url(servers) -> str:
    return f"http://127.0.0.1:{servers.rasa_port}"


def from_page(servers) -> WidgetClient:
    """A client from the demo page's origin (the one WIDGET_ORIGINS allows)."""
    return WidgetClient(url(servers), servers.web_origins[0])


def test_the_widget_origin_gets_one_bubble_per_answer_with_context(servers):
    async def scenario():
        async with from_page(servers) as widget:
            session_id = await widget.session()
            first = await widget.ask("tell me about CRENG", session_id)
            second = await widget.ask("who is the coordinator?", session_id)
            return session_id, first, second

    session_id, first, second = run(scenario())
    assert is_session_id(session_id) and uuid.UUID(session_id).version == 4
    assert len(first) == 1, "an answer arrives as one message, not one per paragraph"
    assert "Crisis and Risk Engineering" in first[0]["text"]
    assert "Source:" in first[0]["text"], "the source line stays in the same bubble"
    assert "Warsaw Polytechnic University" in second[0]["text"]
    assert second[0]["quick_replies"], "follow-up buttons ride on the answer"


def test_a_reload_continues_the_conversation(servers):
    """session_persistence: a new connection with the same session id keeps the context."""

    async def scenario():
        async with from_page(servers) as widget:
            session_id = await widget.session()
            await widget.ask("tell me about CRENG", session_id)
        async with from_page(servers) as reloaded:
            assert await reloaded.session(session_id) == session_id
            return await reloaded.ask("who is the coordinator?", session_id)

    answer = run(scenario())
    assert "Warsaw Polytechnic University" in answer[0]["text"]


@pytest.mark.parametrize("chosen", ["1", "alice", "0" * 32, "6ba7b810-9dad-11d1-80b4-00c04fd430c8"])
def test_a_client_chosen_session_id_that_is_not_a_uuid4_is_replaced(servers, chosen):
    async def scenario():
        async with from_page(servers) as widget:
            return await widget.session(chosen)

    issued = run(scenario())
    assert issued != chosen and is_session_id(issued)


def test_malformed_events_are_ignored_and_the_channel_keeps_working(servers):
    async def scenario():
        async with from_page(servers) as widget:
            session_id = await widget.session()
            bad_events = [
                "just a string",
                {"message": 42, "session_id": session_id},
                {"message": "hello", "session_id": "guessed"},
                {"message": "hello", "session_id": session_id, "metadata": "{not json"},
            ]
            for bad in bad_events:
                await widget.client.emit("user_uttered", bad)
            answer = await widget.answer()
            return answer, await widget.ask("hello", session_id)

    after_bad, hello = run(scenario())
    # Only the last bad event is processable (its metadata is dropped), so exactly one greeting.
    assert len(after_bad) == 1 and after_bad[0]["quick_replies"]
    assert hello[0]["quick_replies"], "the greeting offers suggested questions"


def test_another_origin_is_refused(servers):
    async def scenario():
        async with WidgetClient(url(servers), origin="https://evil.example"):
            pass

    with pytest.raises(socketio.exceptions.ConnectionError):
        run(scenario())
