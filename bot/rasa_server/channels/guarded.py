"""What every one of our input channels does with a message before Rasa sees it.

Rasa hands each channel's `blueprint()` the function that processes a message
(`Agent.handle_message`). `GuardedInput.blueprint` wraps that function once, for all three
channels (REST, the widget, Messenger), in this order:

1. the guard (bot/rasa_server/guard.py): rate limit, control characters, empty and over-long
   messages get their short reply, and nothing else happens: no NLU, no tracker update;
2. what the bot says is held back until the message has been processed *and* saved: channels
   such as Messenger and socket.io send while Rasa processes, before the tracker is saved, so
   a save that then failed left the student with both the answer and the apology;
3. every store call of the message shares the message's retry budgets
   (bot/rasa_server/retry.py, `message_budget`: a locked store at most 5 s with the defaults).
   A store that stayed away or locked for all of it gets the apology "your last message was
   not recorded" instead of the answer (the held replies are dropped): one truthful reply. The
   error is logged with its cause and not raised, so a channel goes on with the next event of
   a batch.

Every reply of ours (the guard's, the apology) is in the conversation's language as the guard
found it (bot/rasa_server/languages.py), and every reply sent for the message carries that
language (`language=`, unless the action set its own) so the widget can follow it.

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

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint

from bot.i18n import speaking
from bot.rasa_server.guard import Guard
from bot.rasa_server.retry import StoreUnavailable, message_budget, store_apology

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]


@lru_cache(maxsize=1)
def shared_guard() -> Guard:
    """One guard per Rasa process, so a sender's rate limit counts across channels."""
    return Guard.from_env()


class HeldOutput(OutputChannel):
    """Stands in for a message's output channel while Rasa processes it: every send is held in
    order, then `release()` passes them on to the real channel, or `drop()` forgets them."""

    SENDS = (
        "send_response",
        "send_text_message",
        "send_image_url",
        "send_attachment",
        "send_text_with_buttons",
        "send_quick_replies",
        "send_elements",
        "send_custom_json",
    )

    def __init__(self, channel: OutputChannel, language: str | None = None) -> None:
        self.channel = channel
        self.language = language
        self.held: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def name(self) -> str:  # type: ignore[override]
        """The real channel's name: Rasa picks channel-specific responses by it."""
        return self.channel.name()

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "channel":  # not set yet (copying): no endless recursion
            raise AttributeError(attribute)
        return getattr(self.channel, attribute)  # e.g. CollectingOutputChannel.messages

    async def release(self) -> None:
        held, self.held = self.held, []
        for method, args, kwargs in held:
            await getattr(self.channel, method)(*args, **self._labelled(method, args, kwargs))

    def _labelled(
        self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """kwargs with the conversation's language, unless the reply names its own."""
        if self.language is None:
            return kwargs
        if method == "send_response":  # (recipient_id, message): the message dict carries it
            if len(args) > 1 and isinstance(args[1], dict):
                args[1].setdefault("language", self.language)
            return kwargs
        return {"language": self.language, **kwargs}

    def drop(self) -> int:
        dropped, self.held = len(self.held), []
        return dropped


def _holding(method: str) -> Callable[..., Awaitable[None]]:
    async def hold(self: HeldOutput, *args: Any, **kwargs: Any) -> None:
        self.held.append((method, args, kwargs))

    hold.__name__ = method
    return hold


for _method in HeldOutput.SENDS:
    setattr(HeldOutput, _method, _holding(_method))


def guarded(on_new_message: Handler, guard: Guard | None = None) -> Handler:
    """`on_new_message` behind the guard, its replies held until it is saved, and the apology
    alone for a store outage."""

    async def handle(message: UserMessage) -> Any:
        checker = guard or shared_guard()
        verdict = checker.decide(message)
        channel = message.output_channel
        if verdict.reply is not None:
            await channel.send_text_message(
                message.sender_id, verdict.reply, language=verdict.language
            )
            return None
        held = HeldOutput(channel, verdict.language)
        message.output_channel = held
        try:
            with message_budget():
                result = await on_new_message(message)
        except StoreUnavailable as error:
            dropped = held.drop()
            logger.error(
                "message from %s not recorded, %d replies withheld, apology sent: %s",
                message.sender_id,
                dropped,
                error,
                exc_info=error,
            )
            with contextlib.suppress(Exception), speaking(verdict.language):
                await channel.send_text_message(
                    message.sender_id, store_apology(), language=verdict.language
                )
            return None
        except Exception:
            await held.release()  # what stock Rasa would have sent before failing
            raise
        finally:
            message.output_channel = channel
        await held.release()
        return result

    handle.__wrapped__ = on_new_message  # type: ignore[attr-defined]
    return handle


class GuardedInput:
    """Mixin for an InputChannel: put it first in the bases and implement `routes()`."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return self.routes(guarded(on_new_message))

    def routes(self, on_new_message: Handler) -> Blueprint:
        raise NotImplementedError
