"""The language a conversation is in, for the replies the Rasa server makes itself.

The guard's refusals ("too long", "please wait", "please type a question"), the apology for a
message that was not recorded and Messenger's "I can only read text" are sent by the Rasa server
outside any action, often instead of NLU. They speak the language of the message when it says
(bot.language.detect) and otherwise the sender's language so far, kept here per sender in
memory: bounded, least recently seen forgotten first, so a restart costs at most one reply in
English. An explicit choice (the widget's language switch sends `/set_language{"language":"ru"}`)
always wins; the widget's interface language (its `customData.language`) stands in for a sender
not seen yet.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from bot.i18n import SUPPORTED_LANGUAGES
from bot.language.detect import answer_language, detect

MAX_TRACKED_SENDERS = 100_000
# Enough text to tell a language; an over-long message is refused anyway, and detection on all
# of its 2,000+ characters would cost the refusal its speed.
DETECT_CHARS = 300
SET_LANGUAGE_INTENT = "set_language"
_CHOICE = re.compile(rf"^\s*/{SET_LANGUAGE_INTENT}(\{{.*\}})\s*$", re.DOTALL)


def chosen_language(text: str) -> str | None:
    """The supported language a `/set_language{"language": "ru"}` payload asks for, else None."""
    match = _CHOICE.match(text or "")
    if not match:
        return None
    try:
        entities = json.loads(match.group(1))
    except ValueError:
        return None
    language = entities.get("language") if isinstance(entities, dict) else None
    return language if language in SUPPORTED_LANGUAGES else None


def interface_language(metadata: Any) -> str | None:
    """The widget's interface language from a message's metadata (its customData), if any."""
    language = metadata.get("language") if isinstance(metadata, Mapping) else None
    return language if language in SUPPORTED_LANGUAGES else None


class ConversationLanguages:
    """sender -> the language the Rasa server's own replies to that sender are in."""

    def __init__(self, max_senders: int = MAX_TRACKED_SENDERS) -> None:
        self.max_senders = max_senders
        self._by_sender: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_sender)

    def of(self, sender: str) -> str | None:
        """The sender's language so far, or None for a sender not seen (or forgotten)."""
        return self._by_sender.get(sender)

    def follow(self, sender: str, text: str, metadata: Any = None) -> str:
        """The language to answer this message in (remembered as the sender's): a language
        choice, else the message's detected language, else the sender's so far ("Erasmus?"
        alone keeps it, and so does a message in a language we don't speak), else the widget's
        interface language, else English. As the actions choose (bot.language.detect)."""
        previous = self._by_sender.get(sender) or interface_language(metadata)
        language = chosen_language(text) or answer_language(detect(text[:DETECT_CHARS]), previous)
        self.remember(sender, language)
        return language

    def remember(self, sender: str, language: str) -> None:
        self._by_sender[sender] = language
        self._by_sender.move_to_end(sender)
        while len(self._by_sender) > self.max_senders:
            self._by_sender.popitem(last=False)
