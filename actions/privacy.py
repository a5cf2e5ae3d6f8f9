"""A student asks for their conversation to be deleted: they get its reference to give to staff
(bot/privacy/), who delete it in the admin or with `python -m bot retention --delete REF`.

The reference is a keyed HMAC of the sender id; the key is the staff database's inbox salt,
read once per process (in a worker thread, within KEY_WAIT_SECONDS, so a locked database costs
the student an apology rather than Rasa's action timeout).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.reply import reply_language, send
from bot.answers import privacy
from bot.faq import service
from bot.i18n import speaking
from bot.ops.retention import retention_days
from bot.privacy.reference import deletion_reference

logger = logging.getLogger(__name__)
KEY_WAIT_SECONDS = 0.8  # inside Rasa's action-call budget (1.5 s)


async def reference_key() -> str:
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(None, service.staff_inbox().salt)
    return await asyncio.wait_for(future, KEY_WAIT_SECONDS)


class ActionRequestDeletion(Action):
    def name(self) -> str:
        return "action_request_deletion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        try:
            key = await reference_key()
        except Exception as error:  # a locked or missing staff database
            logger.error("no deletion reference: the reference key could not be read: %r", error)
            key = None
        with speaking(reply_language(tracker)):
            if key is None:
                send(dispatcher, privacy.reference_unavailable())
            else:
                reference = deletion_reference(key, tracker.sender_id)
                send(dispatcher, privacy.deletion_reference_reply(reference, retention_days()))
        return []
