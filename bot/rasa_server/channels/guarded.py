"""What every one of our input channels does with a message before Rasa sees it.

Rasa hands each channel's `blueprint()` the function that processes a message
(`Agent.handle_message`). `GuardedInput.blueprint` wraps that function once, for all three
channels (REST, the widget, Messenger), in this order:

1. the guard (bot/rasa_server/guard.py): rate limit, control characters, empty and over-long
   messages get their short reply, and nothing else happens: no NLU, no tracker update;
2. a store that stayed away for its whole retry budget (bot/rasa_server/retry.py) gets the
   apology "your last message was not recorded" instead of silence, and the error is re-raised
   so the channel logs it with its cause.

This is Rasa's supported extension point (channels are loaded by class path from
credentials.yml), so no Rasa method is patched for it. Channels implement `routes()` instead of
`blueprint()`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.rasa_server.guard import Guard
from bot.rasa_server.retry import STORE_APOLOGY, StoreUnavailable

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]


@lru_cache(maxsize=1)
def shared_guard() -> Guard:
    """One guard per Rasa process, so a sender's rate limit counts across channels."""
    return Guard.from_env()


def guarded(on_new_message: Handler, guard: Guard | None = None) -> Handler:
    """`on_new_message` behind the guard, with the apology for a store outage."""

    async def handle(message: UserMessage) -> Any:
        checker = guard or shared_guard()
        reply = checker.check(message)
        if reply is not None:
            await message.output_channel.send_text_message(message.sender_id, reply)
            return None
        try:
            return await on_new_message(message)
        except StoreUnavailable:
            with contextlib.suppress(Exception):
                await message.output_channel.send_text_message(message.sender_id, STORE_APOLOGY)
            raise  # the channel logs it (e.g. rest.message.received.failure, with the cause)

    handle.__wrapped__ = on_new_message  # type: ignore[attr-defined]
    return handle


class GuardedInput:
    """Mixin for an InputChannel: put it first in the bases and implement `routes()`."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return self.routes(guarded(on_new_message))

    def routes(self, on_new_message: Handler) -> Blueprint:
        raise NotImplementedError
