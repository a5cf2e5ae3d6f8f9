"""Never answer with silence when the action server is down or slow.

Stock Rasa waits up to 300 s for a custom action, and when the call fails it logs the error and
sends the student nothing. `install()` wraps RemoteAction.run so that a failed or slow call
(ACTION_TIMEOUT_SECONDS, default 1.5 s) becomes a short apology with how to reach the office. The
apology is rendered from the knowledge base like every other answer, once per language at
start-up, and spoken in the conversation's language: the one the NLU found in the student's
latest message, else the `language` slot (bot.language.detect.answer_language). Rasa 3.6 has no
hook for this, so it is a wrapper around one method, in the patch table (bot/rasa_server/patches).

"Slow" means slow to answer, not waiting behind other students: when the Rasa server is
saturated its event loop is busy with other messages, and a reply that has arrived waits for the
loop too. Time the loop was busy (a 50 ms ticker that wakes late, `LoopLag`) is not counted
against the action, up to ACTION_TIMEOUT_CAP_SECONDS (default 6 s) of wall time: on a saturated
server a hanging action server is apologised for after up to 6 s instead of 1.5 s. Under `make
soak`'s saturation this turned timely answers into apologies (0.1-4% of them).
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, Dict, List, TypeVar

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException

from bot.i18n import SUPPORTED_LANGUAGES, speaking
from bot.language.detect import answer_language

T = TypeVar("T")
logger = logging.getLogger(__name__)
DEFAULT_TIMEOUT_SECONDS = 1.5
DEFAULT_CAP_SECONDS = 6.0
TICK_SECONDS = 0.05
LATE_SECONDS = 0.01  # a tick this late means other work held the loop


def action_timeout() -> float:
    return float(os.environ.get("ACTION_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def action_timeout_cap() -> float:
    return max(
        action_timeout(), float(os.environ.get("ACTION_TIMEOUT_CAP_SECONDS", DEFAULT_CAP_SECONDS))
    )


class LoopLag:
    """How long the event loop has been busy with other work, in total: a ticker sleeps
    TICK_SECONDS at a time, and an interval it woke from more than LATE_SECONDS late counts as
    busy, whole. One per event loop, started on first use."""

    _by_loop: ClassVar[weakref.WeakKeyDictionary] = weakref.WeakKeyDictionary()

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.total = 0.0
        self._started = loop.time()  # the interval in progress (the first one starts now)
        self._task = loop.create_task(self._tick(loop))

    def busy(self, now: float) -> float:
        """Busy time so far, including the interval in progress if it is already late."""
        pending = now - self._started
        return self.total + (pending if pending - TICK_SECONDS > LATE_SECONDS else 0.0)

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> LoopLag:
        lag = cls._by_loop.get(loop)
        if lag is None or lag._task.done():
            lag = cls._by_loop[loop] = cls(loop)
        return lag

    async def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            now = loop.time()
            interval = now - self._started
            if interval - TICK_SECONDS > LATE_SECONDS:
                self.total += interval
            self._started = now


async def within_budget(call: Awaitable[T], budget: float, cap: float) -> T:
    """`call`'s result, or asyncio.TimeoutError once it has taken `budget` seconds of time the
    event loop was free to run it (or `cap` seconds of wall time, whichever comes first)."""
    loop = asyncio.get_running_loop()
    lag = LoopLag.of(loop)
    task = asyncio.ensure_future(call)
    start = loop.time()
    busy_at_start = lag.busy(start)
    try:
        while True:
            now = loop.time()
            elapsed = now - start
            own = elapsed - (lag.busy(now) - busy_at_start)
            remaining = min(budget - own, cap - elapsed)
            if remaining <= 0:
                raise asyncio.TimeoutError()
            done, _ = await asyncio.wait({task}, timeout=remaining)
            if done:
                return task.result()
            await asyncio.sleep(0)  # a reply already received runs before we give up on it
            if task.done():
                return task.result()
    finally:
        if not task.done():
            task.cancel()


def apology_text() -> str:
    """The apology in the language being spoken (`speaking`)."""
    from bot.answers.base import lookup_unavailable

    return lookup_unavailable().text


def apologies() -> Dict[str, str]:
    """language -> the apology in it, for every language the assistant speaks."""
    found = {}
    for language in SUPPORTED_LANGUAGES:
        with speaking(language):
            found[language] = apology_text()
    return found


def conversation_language(tracker: Any) -> str:
    """The language to apologise in: the student's latest message's (the NLU's "language"),
    else the conversation's so far (the `language` slot), else English."""
    latest = getattr(tracker, "latest_message", None)
    parse_data = getattr(latest, "parse_data", None) or {}
    detected = parse_data.get("language") if isinstance(parse_data, Mapping) else None
    slot = (getattr(tracker, "slots", None) or {}).get("language")
    previous = getattr(slot, "value", None)
    if not isinstance(detected, Mapping):
        detected = None
    return answer_language(detected, previous if isinstance(previous, str) else None)


def _tracker_of(args: tuple, kwargs: Dict[str, Any]) -> Any:
    """RemoteAction.run(output_channel, nlg, tracker, domain)'s tracker."""
    return kwargs.get("tracker", args[2] if len(args) > 2 else None)


def _missed(args: tuple, kwargs: Dict[str, Any], language: str) -> Dict[str, Any]:
    """The apology's analytics metadata: the question went unanswered (counted as a fallback)."""
    from bot.analytics.outcome import metadata, part

    tracker = _tracker_of(args, kwargs)
    latest = getattr(tracker, "latest_message", None)
    intent = (latest.intent or {}).get("name") if latest is not None else None
    return {"analytics": metadata([part(intent, "unavailable", False)], language)}


def apologising(original: Callable[..., Awaitable[List[Event]]]) -> Callable[..., Any]:
    """RemoteAction.run, timed on its own time, with the apology for a failed or slow call."""
    by_language = apologies()  # rendered once, at start-up, so a broken KB fails loudly here

    async def run_or_apologise(self: RemoteAction, *args: Any, **kwargs: Any) -> List[Event]:
        try:
            call = original(self, *args, **kwargs)
            return await within_budget(call, action_timeout(), action_timeout_cap())
        except ActionExecutionRejection:
            raise  # a form rejecting input is dialogue, not a failure
        except (RasaException, aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("custom action %s failed (%s); sending the apology", self.name(), error)
            language = conversation_language(_tracker_of(args, kwargs))
            text = by_language.get(language, by_language["en"])
            shown = language if language in by_language else "en"
            return [
                create_bot_utterance(
                    {"text": text, "language": shown, **_missed(args, kwargs, shown)}
                )
            ]

    return run_or_apologise
