"""Facebook Messenger input channel, hardened for a public webhook.

What it fixes compared with Rasa's stock connector (rasa/core/channels/facebook.py):
- verifies X-Hub-Signature-256 (HMAC-SHA256 of the raw body, compared in constant time) instead
  of the SHA-1 X-Hub-Signature with `==`; a missing or bad signature is a 403 and nothing runs
  (stock answers 200 "not validated");
- handles every entry and every messaging event of a batched delivery (stock: the first only);
- sends with aiohttp, asynchronously, with a timeout and a bounded retry (stock: synchronous
  `requests` inside the event loop, no timeout);
- answers attachments it cannot read (images, stickers, audio) with a polite note.

Configured from the environment: FACEBOOK_VERIFY_TOKEN, FACEBOOK_APP_SECRET,
FACEBOOK_PAGE_ACCESS_TOKEN, and FACEBOOK_GRAPH_URL (tests point it at a fake Graph API).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_server.channels.guarded import GuardedInput
from bot.rasa_server.channels.render import to_messenger

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v18.0"
SEND_TIMEOUT_SECONDS = 10
SEND_ATTEMPTS = 3
ONLY_TEXT = "Sorry, I can only read text messages. Please type your question."


def signature_is_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw request body."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :])


class GraphClient:
    """Sends messages through the Graph API's Send API, asynchronously, with bounded retries."""

    def __init__(self, page_access_token: str, graph_url: str) -> None:
        self.token = page_access_token
        self.url = f"{graph_url.rstrip('/')}/me/messages"
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def send(self, recipient_id: str, message: Dict[str, Any]) -> bool:
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                async with self._client().post(
                    self.url, params={"access_token": self.token}, json=body
                ) as reply:
                    if reply.status < 300:
                        return True
                    detail = await reply.text()
                    if reply.status < 500 and reply.status != 429:
                        logger.error("Messenger refused a message (%s): %s", reply.status, detail)
                        return False  # our request is wrong: retrying won't help
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                detail = repr(error)
            logger.warning("Messenger send attempt %d failed: %s", attempt, detail)
            await asyncio.sleep(0.2 * 2**attempt)
        return False


class MessengerOutput(OutputChannel):
    def __init__(self, client: GraphClient) -> None:
        self.client = client

    @classmethod
    def name(cls) -> str:
        return "messenger"

    async def _send(self, recipient_id: str, text: str, buttons: List[Dict[str, Any]]) -> None:
        for message in to_messenger(text, buttons):
            await self.client.send(recipient_id, message.as_json())

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(recipient_id, text, buttons)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, image, [])


def _incoming_text(event: Dict[str, Any]) -> str | None:
    """The text a messaging event carries: typed text, a quick reply or a postback payload."""
    message = _object(event.get("message"))
    candidates = (
        _object(message.get("quick_reply")).get("payload"),
        message.get("text"),
        _object(event.get("postback")).get("payload"),
    )
    return next((c for c in candidates if isinstance(c, str) and c), None)


def _object(value: Any) -> Dict[str, Any]:
    """The value if it is a JSON object, else {}: deliveries are checked, never trusted."""
    return value if isinstance(value, dict) else {}


class MessengerInput(GuardedInput, InputChannel):
    """Referenced from credentials.yml as bot.rasa_server.channels.messenger.MessengerInput."""

    @classmethod
    def name(cls) -> str:
        return "messenger"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}

        def setting(key: str, env: str, default: str = "") -> str:
            return str(credentials.get(key) or os.environ.get(env, default))

        return cls(
            setting("verify", "FACEBOOK_VERIFY_TOKEN"),
            setting("secret", "FACEBOOK_APP_SECRET"),
            setting("page-access-token", "FACEBOOK_PAGE_ACCESS_TOKEN"),
            setting("graph-url", "FACEBOOK_GRAPH_URL", DEFAULT_GRAPH_URL),
        )

    def __init__(self, verify_token: str, app_secret: str, page_token: str, graph_url: str) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.client = GraphClient(page_token, graph_url)
        self.configured = bool(verify_token and app_secret and page_token)
        if not self.configured:
            logger.warning(
                "Messenger channel not configured (set FACEBOOK_VERIFY_TOKEN, "
                "FACEBOOK_APP_SECRET and FACEBOOK_PAGE_ACCESS_TOKEN); its webhook answers 503."
            )

    def get_output_channel(self) -> OutputChannel:
        return MessengerOutput(self.client)

    def routes(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("messenger_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "not configured"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.text("Messenger is not configured", status=503)
            token = request.args.get("hub.verify_token", "")
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.verify_token.encode()
            ):
                return response.text(request.args.get("hub.challenge", ""))
            return response.text("verification failed", status=403)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.text("Messenger is not configured", status=503)
            signature = request.headers.get("X-Hub-Signature-256")
            if not signature_is_valid(self.app_secret, request.body or b"", signature):
                logger.warning("Messenger webhook: missing or invalid X-Hub-Signature-256")
                return response.text("invalid signature", status=403)
            try:
                payload = json.loads(request.body or b"")
            except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                return response.text("body is not JSON", status=400)
            if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
                return response.text("unexpected body: no entry list", status=400)
            await self._handle(payload, on_new_message)
            return response.text("EVENT_RECEIVED")

        return hook

    async def _handle(
        self, payload: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Every messaging event of every entry, in order."""
        output = self.get_output_channel()
        for entry in payload["entry"]:
            events = _object(entry).get("messaging")
            for event in events if isinstance(events, list) else []:
                if not isinstance(event, dict):
                    continue
                sender = str(_object(event.get("sender")).get("id") or "")
                message = _object(event.get("message"))
                if not sender or message.get("is_echo"):
                    continue  # our own messages echoed back, deliveries, reads
                text = _incoming_text(event)
                if text:
                    await on_new_message(
                        UserMessage(text, output, sender, input_channel=self.name())
                    )
                elif message.get("attachments") or message.get("sticker_id"):
                    await output.send_text_message(sender, ONLY_TEXT)
