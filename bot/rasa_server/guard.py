"""Limits applied to every incoming message before NLU runs, whatever the channel.

Every channel of ours checks a message here before Rasa parses or stores anything
(bot/rasa_server/channels/guarded.py):

- a sender who sent RATE_LIMIT_PER_MINUTE messages (default 20) in the last 60 s gets "please
  wait" and nothing else happens: no NLU, no tracker update, no action call. The window is a
  sliding one, kept in this process's memory for at most MAX_TRACKED_SENDERS senders (least
  recently seen forgotten first). Button payloads ("/intent{...}") count like typed text;
- null bytes, other control characters and lone surrogates are removed from the text;
- an empty (or whitespace-only) message gets "please type a question";
- a message longer than MAX_MESSAGE_CHARS (default 2,000) gets "that is too long".

Replies go through `message.output_channel.send_text_message`, so REST, the widget and Messenger
each render them as they render any answer. They are in the conversation's language
(bot/rasa_server/languages.py: the message's, else the sender's so far), as sentence frames of
this module's catalogue (bot/i18n/locales/<lang>/LC_MESSAGES/bot.rasa_server.guard.po).

It also caps the size of an HTTP request body for Rasa's Sanic app (MAX_REQUEST_BYTES, default
1 MiB, passed to Sanic as SANIC_REQUEST_MAX_SIZE; bigger bodies get Sanic's 413 before any handler
runs), and refuses to start Rasa's HTTP
API without authentication (see `api_arguments` and `check_api_arguments`).
"""

from __future__ import annotations

import logging
import os
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import _, number, speaking
from bot.rasa_server.languages import ConversationLanguages

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_CHARS = 2000
DEFAULT_RATE_LIMIT_PER_MINUTE = 20
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
RATE_WINDOW_SECONDS = 60.0
# A sender id is a column of the tracker store (String(255)); REST refuses longer ones and the
# action server refuses calls for them (bot/action_server/auth.py).
MAX_SENDER_CHARS = 255
MAX_TRACKED_SENDERS = 100_000


def empty_reply() -> str:
    return _("Please type a question, for example: which programmes are taught in English?")


def too_long_reply(limit: int) -> str:
    return _(
        "That message is too long for me; please ask one question in under {limit} characters.",
        limit=number(limit),
    )


def slow_down_reply() -> str:
    return _("You're sending messages faster than I can answer; please wait a moment.")


# In English (the module is imported outside any `speaking` block): for tests and logs.
EMPTY_REPLY = empty_reply()
SLOW_DOWN_REPLY = slow_down_reply()

KEPT_CONTROLS = {"\n", "\t"}


def _int_env(name: str, default: int, env: Mapping[str, str] | None = None) -> int:
    raw = (os.environ if env is None else env).get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        logger.warning("%s=%r is not a whole number; using %d", name, raw, default)
        return default


def max_message_chars() -> int:
    return _int_env("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS)


def rate_limit_per_minute() -> int:
    return _int_env("RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE)


def max_request_bytes() -> int:
    return _int_env("MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)


def clean_text(text: str) -> str:
    """The text without null bytes, control characters (tabs and newlines kept; a carriage
    return becomes a newline) or lone surrogates (what invalid UTF-8 or a broken "\\ud800"
    JSON escape turns into), which no part of the pipeline needs and some storage rejects."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable():
        return text
    return "".join(
        c for c in text if c in KEPT_CONTROLS or unicodedata.category(c) not in ("Cc", "Cs")
    )


class RateLimiter:
    """At most `limit` accepted messages per sender in any `window` seconds (sliding log).

    Refused messages are not recorded, so a sender who keeps sending still gets `limit` messages
    answered per window. Memory is bounded: at most `max_senders` senders are remembered (least
    recently seen dropped first), each with at most `limit` timestamps, and senders silent for a
    whole window are dropped as soon as they are the least recently seen.
    """

    def __init__(
        self,
        limit: int,
        window: float = RATE_WINDOW_SECONDS,
        max_senders: int = MAX_TRACKED_SENDERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_senders = max_senders
        self.clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._hits)

    def allow(self, sender: str) -> bool:
        if self.limit <= 0:  # RATE_LIMIT_PER_MINUTE=0 switches the limit off
            return True
        now = self.clock()
        expired = now - self.window
        while self._hits:  # forget senders idle for a whole window (oldest first)
            oldest = next(iter(self._hits.values()))
            if oldest and oldest[-1] > expired:
                break
            self._hits.popitem(last=False)
        hits = self._hits.get(sender)
        if hits is None:
            hits = self._hits[sender] = deque(maxlen=self.limit)
            while len(self._hits) > self.max_senders:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(sender)
        while hits and hits[0] <= expired:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


@dataclass(frozen=True)
class Verdict:
    """The guard's decision on one message: `reply` is ours instead of Rasa's (None: let Rasa
    handle it), and `language` is the conversation's, for this reply and the ones after."""

    reply: str | None
    language: str


class Guard:
    """Decides what happens to one message: a reply of ours instead of Rasa, or Rasa."""

    def __init__(
        self,
        max_chars: int,
        limiter: RateLimiter,
        languages: ConversationLanguages | None = None,
    ) -> None:
        self.max_chars = max_chars
        self.limiter = limiter
        self.languages = languages or ConversationLanguages()

    @classmethod
    def from_env(cls) -> Guard:
        return cls(max_message_chars(), RateLimiter(rate_limit_per_minute()))

    def check(self, message: Any) -> str | None:
        """None: let Rasa handle the message (its text cleaned in place); else our reply."""
        return self.decide(message).reply

    def decide(self, message: Any) -> Verdict:
        sender = str(message.sender_id)
        allowed = self.limiter.allow(sender)
        text = message.text if isinstance(message.text, str) else ""
        text = clean_text(text).strip()
        language = self.languages.follow(sender, text, getattr(message, "metadata", None))
        with speaking(language):
            if not allowed:
                logger.info("rate limit: refused a message from %s", message.sender_id)
                return Verdict(slow_down_reply(), language)
            if not text:
                return Verdict(empty_reply(), language)
            if len(text) > self.max_chars:
                logger.info("refused a message of %d characters from %s", len(text), sender)
                return Verdict(too_long_reply(self.max_chars), language)
        message.text = text
        return Verdict(None, language)


def request_size_environment(env: Mapping[str, str]) -> dict[str, str]:
    """Sanic's REQUEST_MAX_SIZE (default 100 MB) for the app Rasa creates, as Sanic's own
    SANIC_-prefixed setting: bigger bodies are refused with 413 while they are read, before any
    handler (or JSON parser) sees them. An operator's SANIC_REQUEST_MAX_SIZE wins."""
    if env.get("SANIC_REQUEST_MAX_SIZE"):
        return {}
    return {"SANIC_REQUEST_MAX_SIZE": str(max_request_bytes())}


# Rasa's HTTP API (/conversations, /model, ...) is off unless `--enable-api` is given. For
# operators who need it: set RASA_API_JWT_SECRET and our launcher adds the flags below, in
# process (so the secret never appears in the process list). The API then answers only with a
# valid HS256 JWT ({"user": {"username": ..., "role": "admin"}}), and the server listens on
# 127.0.0.1 only (channels included: put a reverse proxy in front for the public webhooks).

API_SECRET_ENV = "RASA_API_JWT_SECRET"


def api_arguments(env: Mapping[str, str]) -> list[str]:
    """The `rasa run` flags that enable the HTTP API, or [] when RASA_API_JWT_SECRET is unset."""
    secret = (env.get(API_SECRET_ENV) or "").strip()
    if not secret:
        return []
    return ["--enable-api", "--jwt-secret", secret, "--jwt-method", "HS256", "-i", "127.0.0.1"]


def check_api_arguments(argv: Sequence[str]) -> str | None:
    """Why these `rasa run` arguments are refused (the API enabled without authentication, or
    on a non-loopback interface), or None when they are fine."""
    if "--enable-api" not in argv:
        return None
    if not any(a in argv for a in ("--jwt-secret", "--jwt-private-key")):
        return (
            "refusing to enable Rasa's HTTP API without JWT authentication: "
            f"set {API_SECRET_ENV} (see bot/rasa_server/guard.py)"
        )
    interface = None
    for flag in ("-i", "--interface"):
        if flag in argv and argv.index(flag) + 1 < len(argv):
            interface = argv[argv.index(flag) + 1]
    if interface not in ("127.0.0.1", "localhost", "::1"):
        return "Rasa's HTTP API must listen on 127.0.0.1 only: add `-i 127.0.0.1`"
    return None


def with_api_arguments(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """argv (`rasa ...`) with the API flags added for `run` when the operator asked for them."""
    extra = api_arguments(env)
    is_run = len(argv) > 1 and argv[1] == "run" and (len(argv) < 3 or argv[2] != "actions")
    if is_run and extra and "--enable-api" not in argv:
        return [*argv, *extra]
    return list(argv)
