"""A socket.io client that behaves like rasa-webchat, for channel tests."""

from __future__ import annotations

import asyncio
from typing import Any, List

import socketio


class WidgetClient:
    """What rasa-webchat does: connect, ask for a session, send messages, collect answers."""

    def __init__(self, url: str, origin: str) -> None:
        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.replies: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self.replies.put_nowait)

    async def __aenter__(self) -> WidgetClient:
        headers = {"Origin": self.origin}
        await self.client.connect(
            self.url, headers=headers, transports=["polling"], wait_timeout=10
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()

    async def session(self, requested: Any = None) -> str:
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", lambda sid: confirmed.set_result(sid))
        await self.client.emit("session_request", {"session_id": requested})
        return await asyncio.wait_for(confirmed, 10)

    async def ask(self, text: str, session_id: str) -> List[dict]:
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        return await self.answer()

    async def answer(self, quiet: float = 1.0) -> List[dict]:
        """Every event until the line goes quiet (an answer should be exactly one)."""
        events = [await asyncio.wait_for(self.replies.get(), 30)]
        while True:
            try:
                events.append(await asyncio.wait_for(self.replies.get(), quiet))
            except asyncio.TimeoutError:
                return events
