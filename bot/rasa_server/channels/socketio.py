"""The website widget's channel: Rasa's socket.io channel, hardened.

What it changes compared with `rasa.core.channels.socketio.SocketIOInput`:
- Origins: Rasa creates its socket.io server with `cors_allowed_origins=[]`, which switches the
  origin check off, so any web page anywhere could talk to the bot. Here only the configured
  origins may connect (credentials.yml `allowed_origins` or WIDGET_ORIGINS, comma-separated;
  the default allows only the local demo page). Others get 400 "Not an accepted origin".
- Session ids: the server issues random uuid4s. A client-chosen id that is not a uuid4 (say
  "1" or another user's guessable name) is replaced, and messages carrying one are dropped.
- One bubble per answer (see bot.rasa_server.channels.render.to_widget), instead of one per
  paragraph, labelled with its language (`metadata.language`) for the widget's own strings.
- Malformed events (not an object, a non-text message, metadata that is not JSON) are
  ignored with a log line instead of raising inside the socket.io handler.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.rasa_server.channels.guarded import GuardedInput
from bot.rasa_server.channels.render import to_widget

logger = logging.getLogger(__name__)

DEFAULT_ORIGINS = ["http://localhost:8000", "http://127.0.0.1:8000"]


def allowed_origins(credentials: Dict[str, Any] | None) -> List[str]:
    configured = (credentials or {}).get("allowed_origins") or os.environ.get("WIDGET_ORIGINS")
    if isinstance(configured, str):
        configured = [o.strip() for o in configured.split(",")]
    return [o.rstrip("/") for o in (configured or DEFAULT_ORIGINS) if o]


def is_session_id(value: Any) -> bool:
    """A session id this server could have issued: a uuid4, as hex or in canonical form."""
    if not isinstance(value, str) or len(value) not in (32, 36):
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 4 and value.lower() in (parsed.hex, str(parsed))


def new_session_id() -> str:
    return uuid.uuid4().hex


class WidgetOutput(SocketIOOutput):
    """Sends each answer as one message; the widget renders its markdown and, from the answer's
    `metadata.language`, shows its own strings in the language the conversation is in."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, to_widget(text, language=kwargs.get("language")))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        message = to_widget(text, buttons, language=kwargs.get("language"))
        await self._send_message(recipient_id, message)


class RestrictedSocketIOInput(GuardedInput, SocketIOInput):
    """Named in credentials.yml (bot.rasa_server.channels.socketio.RestrictedSocketIOInput)."""

    allowed_origins: List[str] = DEFAULT_ORIGINS

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(
            {k: v for k, v in (credentials or {}).items() if k != "allowed_origins"}
        )
        channel.allowed_origins = allowed_origins(credentials)
        return channel

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WidgetOutput(self.sio, self.bot_message_evt)

    def routes(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=list(self.allowed_origins))
        self.sio = sio
        hook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        namespace = self.namespace

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Dict, auth: Dict | None) -> bool:
            if not self.jwt_key:
                return True
            from rasa.core.channels.channel import decode_bearer_token

            token = (auth or {}).get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if is_session_id(requested) else new_session_id()
            if self.session_persistence:
                sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            message = self._user_message(sid, data, WidgetOutput(sio, self.bot_message_evt))
            if message is not None:
                await on_new_message(message)

        return hook

    def _user_message(self, sid: str, data: Any, output: OutputChannel) -> UserMessage | None:
        """The UserMessage for a widget event, or None (logged) when the event is unusable."""
        if not isinstance(data, dict):
            logger.warning("socket.io: ignored a message that is not an object")
            return None
        text = data.get("message", "")
        if not isinstance(text, str):
            logger.warning("socket.io: ignored a message whose text is not a string")
            return None
        if self.session_persistence:
            sender = data.get("session_id")
            if not is_session_id(sender):
                logger.warning("socket.io: ignored a message without a server-issued session id")
                return None
        else:
            sender = sid
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
        if not isinstance(metadata, dict):
            metadata = {}
        return UserMessage(
            text,  # too long, empty, control characters: the guard answers, as on every channel
            output,
            sender,
            input_channel=self.name(),
            metadata=metadata,
        )
