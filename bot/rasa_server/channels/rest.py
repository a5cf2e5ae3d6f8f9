"""The REST channel (POST {"sender": "...", "message": "..."} to /webhooks/rest/webhook),
hardened against malformed requests.

Rasa's RestInput reads `request.json.get(...)` without checking anything, so a body that is not
a JSON object (a list, a string, a number), invalid JSON or invalid UTF-8 ends in an
AttributeError or a parser error and a 500, and a non-string `message` reaches NLU. Here every
such request is a 400 with a one-line JSON error ({"error": "..."}), before Rasa sees it:

- the body must be UTF-8 JSON, an object;
- `message` must be a string (empty is allowed: bot.rasa_server.guard answers it);
- `sender` must be a non-empty string of at most 255 characters (the tracker store's column)
  without control characters. Stock Rasa files sender-less messages under one shared
  conversation, "default"; here a sender is required;
- `metadata`, if present, must be an object;
- `input_channel` in the body is ignored: messages arriving here are always "rest" (stock lets
  the client claim any channel, which the staff inbox would then show).

Bodies over MAX_REQUEST_BYTES are refused with 413 by Sanic before this handler runs
(bot.rasa_server.guard).
The channel keeps the name "rest", so the URL and each message's input_channel are unchanged.
Every text it returns (also with `?stream=true`) goes through render.safe_markdown: a refused
link is plain text, raw HTML is escaped (bot/links.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from asyncio import Queue
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.rasa_server.channels.guarded import GuardedInput
from bot.rasa_server.channels.render import safe_markdown
from bot.rasa_server.guard import MAX_SENDER_CHARS

logger = logging.getLogger(__name__)


class BadRequest(ValueError):
    """The request body is unusable; the message is safe to show to the client."""


def _parse(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not valid UTF-8") from None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest('the body must be a JSON object: {"sender": "...", "message": "..."}')
    return payload


def parse_request(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(sender, message text, metadata) from a webhook body, or BadRequest saying why not."""
    payload = _parse(body)
    sender = payload.get("sender")
    if sender is None:
        raise BadRequest('"sender" is required: a string that identifies the conversation')
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest('"sender" must be a non-empty string')
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f'"sender" must be at most {MAX_SENDER_CHARS} characters')
    if not sender.isprintable():
        raise BadRequest('"sender" must not contain control characters')
    text = payload.get("message")
    if not isinstance(text, str):
        raise BadRequest('"message" is required and must be a string')
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object')
    return sender, text, metadata


class SafeText:
    """Output channel mixin: each message's text as `safe_markdown` shows it."""

    async def _persist_message(self, message: dict[str, Any]) -> None:
        if isinstance(message.get("text"), str):
            message = {**message, "text": safe_markdown(message["text"])}
        await super()._persist_message(message)  # type: ignore[misc]


class SafeCollectingOutputChannel(SafeText, CollectingOutputChannel):
    """What the REST webhook answers with."""


class SafeQueueOutputChannel(SafeText, QueueOutputChannel):
    """What the REST webhook streams (`?stream=true`)."""


def bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


class HardenedRestInput(GuardedInput, RestInput):
    """Referenced from credentials.yml as bot.rasa_server.channels.rest.HardenedRestInput."""

    @staticmethod
    async def on_message_wrapper(
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        queue: Queue,
        sender_id: str,
        input_channel: str,
        metadata: dict[str, Any] | None,
    ) -> None:
        """RestInput's, with the safe output channel (used by `?stream=true`)."""
        collector = SafeQueueOutputChannel(queue)
        await on_new_message(
            UserMessage(text, collector, sender_id, input_channel=input_channel, metadata=metadata)
        )
        await queue.put("DONE")

    def routes(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        hook = Blueprint("hardened_rest_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            try:
                sender, text, metadata = parse_request(request.body or b"")
            except BadRequest as error:
                return bad_request(str(error))
            channel = self.name()
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, text, sender, channel, metadata),
                    content_type="text/event-stream",
                )
            collector = SafeCollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=channel, metadata=metadata)
                )
            except asyncio.CancelledError:
                logger.error("REST: handling a message from %s was cancelled", sender)
            except Exception:  # what stock Rasa does too: log it, answer what was collected
                logger.exception("REST: handling a message from %s failed", sender)
            return response.json(collector.messages)

        return hook
