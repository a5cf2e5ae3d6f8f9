"""Facebook Messenger input channel, hardened for a public webhook.

What it fixes compared with Rasa's stock connector (rasa/core/channels/facebook.py):
- verifies X-Hub-Signature-256 (HMAC-SHA256 of the raw body, compared in constant time) instead
  of the SHA-1 X-Hub-Signature with `==`; a missing or bad signature is a 403 and nothing runs
  (stock answers 200 "not validated");
- acknowledges a delivery as soon as its events are durably recorded (a queue table in the
  tracker store's database, bot/rasa_server/channels/messenger_queue.py), well within the
  second Facebook allows, and answers them from there (messenger_worker.py): a hanging Send API
  or a slow store no longer makes Facebook redeliver, and a crash after the 200 loses nothing;
- answers each event once: a redelivery (same `mid`) is acknowledged and ignored, for 48 h and
  across replicas (messenger_dedup.py, messenger_queue.py); a full queue or a database that
  can't record the delivery in time is a 503, so Facebook retries later;
- handles every entry and every messaging event of a batched delivery (stock: the first only),
  and one event that fails never stops the others;
- refuses bad sender ids (too long, NUL bytes, odd characters) before anything is stored, and
  greets on the "Get Started" button (messenger_events.py);
- sends with aiohttp, asynchronously, with a timeout and a bounded retry (stock: synchronous
  `requests` inside the event loop, no timeout); gives up after the retries, logged;
- tells a new conversation, once, that staff may read it, with a link to the privacy page
  (after its first reply, in its language: `send_privacy_notice`);
- answers attachments it cannot read (images, stickers, audio) with a polite note, in the
  sender's language so far (an attachment has no text to tell it: bot/rasa_server/languages.py).
  Nothing here fixes a language: answers and their quick replies come as the actions wrote them.

Configured from the environment: FACEBOOK_VERIFY_TOKEN, FACEBOOK_APP_SECRET,
FACEBOOK_PAGE_ACCESS_TOKEN, FACEBOOK_GRAPH_URL (the Graph API to send through: tests and staging
point it at another one), and the queue's MESSENGER_* settings (messenger_queue.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp
import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import paths
from bot.i18n import _, speaking
from bot.privacy.notice import privacy_notice, privacy_url
from bot.rasa_server.channels.guarded import GuardedInput, shared_guard
from bot.rasa_server.channels.messenger_dedup import RedisDedup
from bot.rasa_server.channels.messenger_events import (
    has_attachment,
    incoming,
    incoming_text,
    message_id,
)
from bot.rasa_server.channels.messenger_queue import DeliveryQueue, Leased, QueueFull
from bot.rasa_server.channels.messenger_worker import NotReady, QueueWorker
from bot.rasa_server.channels.render import to_messenger

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v18.0"
SEND_TIMEOUT_SECONDS = 10
SEND_ATTEMPTS = 3
KNOWN_SENDERS = 10_000  # senders remembered as not new (an LRU; others cost one query)


def only_text_reply() -> str:
    return _("Sorry, I can only read text messages. Please type your question.")


ONLY_TEXT = only_text_reply()  # in English (imported outside `speaking`): for tests and logs


def default_queue_url() -> str:
    """The tracker store's database (endpoints.yml reads the same TRACKER_STORE_URL)."""
    return os.environ.get("TRACKER_STORE_URL") or f"sqlite:///{paths.VAR / 'tracker.sqlite3'}"


def signature_is_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw request body."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :])


class GraphClient:
    """Sends messages through the Graph API's Send API, asynchronously, with bounded retries."""

    def __init__(
        self,
        page_access_token: str,
        graph_url: str,
        timeout_seconds: float = SEND_TIMEOUT_SECONDS,
        attempts: int = SEND_ATTEMPTS,
    ) -> None:
        self.token = page_access_token
        self.url = f"{graph_url.rstrip('/')}/me/messages"
        self.timeout_seconds = timeout_seconds
        self.attempts = attempts
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def send(self, recipient_id: str, message: Dict[str, Any]) -> bool:
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
        for attempt in range(1, self.attempts + 1):
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
            if attempt < self.attempts:
                await asyncio.sleep(0.2 * 2**attempt)
        logger.error(
            "Messenger: gave up sending to %s after %d attempts: %s",
            recipient_id,
            self.attempts,
            detail,
        )
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
            setting("queue-url", "MESSENGER_QUEUE_URL"),
        )

    def __init__(
        self,
        verify_token: str,
        app_secret: str,
        page_token: str,
        graph_url: str,
        queue_url: str = "",
    ) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.client = GraphClient(page_token, graph_url)
        self.configured = bool(verify_token and app_secret and page_token)
        self.queue: DeliveryQueue | None = None
        self._known_senders: OrderedDict[str, None] = OrderedDict()  # LRU: not new any more
        self.dedup: RedisDedup | None = None
        self.worker: QueueWorker | None = None
        if self.configured:
            self.queue = DeliveryQueue(queue_url or default_queue_url()).create()
            self.dedup = RedisDedup.from_env(self.queue.keep_seconds)
        else:
            logger.warning(
                "Messenger channel not configured (set FACEBOOK_VERIFY_TOKEN, "
                "FACEBOOK_APP_SECRET and FACEBOOK_PAGE_ACCESS_TOKEN); its webhook answers 503."
            )

    def get_output_channel(self) -> OutputChannel:
        return MessengerOutput(self.client)

    async def _new_conversation(self, agent: Any, sender: str) -> bool:
        """Whether nothing of `sender`'s conversation is stored yet (its first message, or its
        first since it was deleted). Senders seen since this process started are not asked."""
        if sender in self._known_senders:
            self._known_senders.move_to_end(sender)
            return False
        try:
            new = not await stored_conversation(agent.tracker_store, sender)
        except Exception as error:  # can't tell: no notice rather than one on every message
            logger.warning("Messenger: could not tell whether %s is new: %r", sender, error)
            return False
        self._known_senders[sender] = None
        while len(self._known_senders) > KNOWN_SENDERS:
            self._known_senders.popitem(last=False)
        return new

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
            return await self._record(payload)

        @hook.listener("after_server_start")
        async def start_worker(app: Sanic, _: Any) -> None:
            if self.configured:
                self._start_worker(lambda: _ready_agent(app), on_new_message)

        @hook.listener("before_server_stop")
        async def stop_worker(_: Sanic, __: Any) -> None:
            if self.worker:
                await self.worker.stop()
            if self.dedup:
                await self.dedup.close()

        return hook

    async def _record(self, payload: Dict[str, Any]) -> HTTPResponse:
        """Record the delivery's events durably, then acknowledge: 200 once recorded (or known
        from an earlier delivery), 503 when the queue is full or the database can't record it
        in time (Facebook retries later; nothing half-recorded: one transaction)."""
        events, refused = incoming(payload)
        for reason in refused:
            logger.warning("Messenger webhook: event refused, %s", reason)
        if not events:
            if refused:
                return response.text(f"refused: {'; '.join(refused)}", status=400)
            return response.text("EVENT_RECEIVED")
        assert self.queue is not None and self.worker is not None
        keys = [event.key for event in events]
        seen = await self.dedup.seen(keys) if self.dedup else None
        fresh = [event for event in events if event.key not in (seen or set())]
        duplicates = len(events) - len(fresh)
        if fresh:
            try:
                recorded = await asyncio.wait_for(
                    self.worker.db(self.queue.record, fresh), self.queue.record_timeout
                )
            except QueueFull as full:
                logger.warning("Messenger webhook: %s; answering 503", full)
                return response.text("queue full, retry later", status=503)
            except (asyncio.TimeoutError, sa.exc.SQLAlchemyError) as error:
                # If the insert still commits after this, the redelivery is a duplicate: fine.
                logger.warning("Messenger webhook: could not record the delivery: %r", error)
                return response.text("could not record the delivery, retry later", status=503)
            except Exception:  # never a 500: Facebook retries a 503, and the log says why
                logger.exception("Messenger webhook: recording the delivery failed")
                return response.text("could not record the delivery, retry later", status=503)
            duplicates += recorded.duplicates
            if recorded.new:
                self.worker.wake()
            if self.dedup:
                await self.dedup.remember([event.key for event in fresh])
        if duplicates:
            logger.info(
                "Messenger webhook: %d repeated event(s) acknowledged, not answered", duplicates
            )
        note = f" ({len(refused)} refused)" if refused else ""
        return response.text(f"EVENT_RECEIVED{note}")

    def _start_worker(
        self,
        agent: Callable[[], Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        output = self.get_output_channel()

        async def answer(item: Leased) -> None:
            if agent() is None:
                raise NotReady
            text = incoming_text(item.event)
            mid = message_id(item.event)
            mid = mid if isinstance(mid, str) else None
            if item.attempts and mid and await _already_stored(agent(), item.sender, mid):
                logger.warning(
                    "Messenger event %d of %s: a worker that died had already answered and "
                    "stored it; not answering it again",
                    item.id,
                    item.sender,
                )
                return
            if text:
                new = await self._new_conversation(agent(), item.sender)
                await on_new_message(
                    UserMessage(
                        text, output, item.sender, input_channel=self.name(), message_id=mid
                    )
                )
                if new:
                    await send_privacy_notice(output, item.sender)
            elif has_attachment(item.event):
                await send_only_text(output, item.sender)

        assert self.queue is not None
        self.worker = QueueWorker(self.queue, answer)
        self.worker.start()


async def send_only_text(output: OutputChannel, sender: str) -> None:
    """The note for an attachment, in the sender's language so far (it has no text of its own)."""
    language = shared_guard().languages.of(sender) or "en"
    with speaking(language):
        reply = only_text_reply()
    await output.send_text_message(sender, reply, language=language)


async def send_privacy_notice(output: OutputChannel, sender: str) -> None:
    """Staff may read this conversation: said once, after its first reply, in its language."""
    language = shared_guard().languages.of(sender) or "en"
    with speaking(language):
        notice = privacy_notice(privacy_url(language))
    await output.send_text_message(sender, notice, language=language)


async def stored_conversation(store: Any, sender: str) -> bool:
    """Whether the tracker store holds any event of `sender` (ours: one indexed query)."""
    if hasattr(store, "stored_event_count"):
        return await store.stored_event_count(sender) > 0
    return bool(await store.exists(sender))


def _ready_agent(app: Sanic) -> Any:
    """Rasa's agent once its model is loaded, else None."""
    agent = getattr(app.ctx, "agent", None)
    return agent if agent is not None and agent.is_ready() else None


async def _already_stored(agent: Any, sender: str, mid: str) -> bool:
    """Whether the conversation holds this message: an earlier worker processed it and died
    before marking it done. If the store can't say, answer (rather twice than never)."""
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception as error:
        logger.warning(
            "Messenger: could not check %s for a message already stored: %s", sender, error
        )
        return False
    events = tracker.events if tracker is not None else []
    return any(getattr(event, "message_id", None) == mid for event in events)
