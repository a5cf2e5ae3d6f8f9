"""The widget's socket.io channel, for real: a socket.io client talks to the running server."""

from __future__ import annotations

import asyncio

import pytest
import socketio

pytestmark = pytest.mark.e2e
ALLOWED = "http://localhost:8000"  # the default WIDGET_ORIGINS: the local demo page


async def converse(url: str, origin: str, messages: list[str]) -> tuple[str, list[dict]]:
    client = socketio.AsyncClient(reconnection=False)
    session: asyncio.Future = asyncio.get_running_loop().create_future()
    replies: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: session.set_result(sid))
    client.on("bot_uttered", replies.put_nowait)
    await client.connect(url, headers={"Origin": origin}, transports=["polling"], wait_timeout=10)
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(session, 10)
        answers = []
        for text in messages:
            await client.emit("user_uttered", {"message": text, "session_id": session_id})
            answers.append(await one_answer(replies))
        return session_id, answers
    finally:
        await client.disconnect()


async def one_answer(replies: asyncio.Queue) -> dict:
    """Rasa's socket.io output sends an answer as one event per paragraph: gather them until
    the line goes quiet, as the widget shows them."""
    parts = [await asyncio.wait_for(replies.get(), 30)]
    while True:
        try:
            parts.append(await asyncio.wait_for(replies.get(), 1.0))
        except asyncio.TimeoutError:
            break
    buttons = [b for p in parts for b in p.get("quick_replies") or p.get("buttons") or []]
    return {"text": "\n\n".join(p.get("text", "") for p in parts), "buttons": buttons}


def test_the_widget_origin_gets_answers_with_context(servers):
    url = f"http://127.0.0.1:{servers.rasa_port}"
    session_id, answers = asyncio.run(
        converse(url, ALLOWED, ["tell me about CRENG", "who is the coordinator?"])
    )
    assert len(session_id) == 32 and int(session_id, 16) >= 0  # a random uuid4, hex
    assert "Crisis and Risk Engineering" in answers[0]["text"]
    assert "Warsaw Polytechnic University" in answers[1]["text"]
    assert answers[1]["buttons"]


def test_another_origin_is_refused(servers):
    url = f"http://127.0.0.1:{servers.rasa_port}"
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(converse(url, "https://evil.example", ["hello"]))
