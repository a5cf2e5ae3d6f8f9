"""Never answer with silence when the action server is down or slow.

Stock Rasa waits up to 300 s for a custom action, and when the call fails it logs the error and
sends the student nothing. `install()` wraps RemoteAction.run so that a failed or slow call
(ACTION_TIMEOUT_SECONDS, default 1.5 s) becomes a short apology with how to reach the office. The
apology is rendered from the knowledge base like every other answer. Rasa 3.6 has no hook for
this, so it is a wrapper around one method, installed only by our launcher (bot.launch).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, List

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
DEFAULT_TIMEOUT_SECONDS = 1.5


def action_timeout() -> float:
    return float(os.environ.get("ACTION_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def apology_text() -> str:
    from bot.answers.base import office_contact_hint

    return (
        "Sorry, I can't look that up right now. Please try again in a minute. "
        + office_contact_hint()
    )


def install() -> None:
    if getattr(RemoteAction.run, "_beu_resilient", False):
        return
    original = RemoteAction.run
    apology = apology_text()  # rendered once, at start-up, so a broken KB fails loudly here

    async def run_or_apologise(self: RemoteAction, *args: Any, **kwargs: Any) -> List[Event]:
        try:
            return await asyncio.wait_for(original(self, *args, **kwargs), action_timeout())
        except ActionExecutionRejection:
            raise  # a form rejecting input is dialogue, not a failure
        except (RasaException, aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("custom action %s failed (%s); sending the apology", self.name(), error)
            return [create_bot_utterance({"text": apology})]

    run_or_apologise._beu_resilient = True  # type: ignore[attr-defined]
    RemoteAction.run = run_or_apologise  # type: ignore[method-assign]
