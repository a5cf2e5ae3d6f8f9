"""The website widget's channel: Rasa's socket.io channel, accepting only configured origins.

Rasa 3.6 creates its socket.io server with `cors_allowed_origins=[]`, which switches engine.io's
origin check off: any web page anywhere can open a conversation with the bot. This subclass sets
the allowed origins on the server Rasa built (engine.io reads the setting on every request), so a
connection from another origin is refused with 400 "Not an accepted origin".

Origins come from credentials.yml (`allowed_origins`) or the WIDGET_ORIGINS environment variable
(comma-separated); the default allows only the local demo page.
"""

from __future__ import annotations

import os
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

DEFAULT_ORIGINS = ["http://localhost:8000", "http://127.0.0.1:8000"]


def allowed_origins(credentials: Dict[str, Any] | None) -> List[str]:
    configured = (credentials or {}).get("allowed_origins") or os.environ.get("WIDGET_ORIGINS")
    if isinstance(configured, str):
        configured = [o.strip() for o in configured.split(",")]
    return [o.rstrip("/") for o in (configured or DEFAULT_ORIGINS) if o]


class RestrictedSocketIOInput(SocketIOInput):
    """Referenced from credentials.yml as bot.channels.socketio.RestrictedSocketIOInput."""

    allowed_origins: List[str] = DEFAULT_ORIGINS

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(
            {k: v for k, v in (credentials or {}).items() if k != "allowed_origins"}
        )
        channel.allowed_origins = allowed_origins(credentials)
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = super().blueprint(on_new_message)
        self.sio.eio.cors_allowed_origins = list(self.allowed_origins)
        return hook
