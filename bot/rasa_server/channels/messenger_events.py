"""What a Messenger delivery holds, checked before anything is stored.

A delivery is a batch: entries, each with a list of messaging events. Each event the assistant
answers (typed text, a quick reply, a postback, an attachment) becomes an `Incoming`, with the
key that recognises it when Facebook delivers it again. Echoes of our own messages, delivery and
read receipts are ignored. Events with a bad sender id are refused, with the reason, before
anything is stored. Facebook's page-scoped ids are short digit strings; what PostgreSQL does
with the rest (checked on Rasa 3.6's SQLTrackerStore): a sender id of more than 255 characters
fails the save with a DataError (`events.sender_id` is VARCHAR(255)), not retried, after the
answer was sent; a NUL byte makes psycopg2 raise a ValueError, which Rasa's `session_scope`
takes for a missing schema and answers with `print_error_and_exit` (sys.exit). SQLite stores
both as they are.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Facebook sends digits; letters, "_" and "-" are let through for other Graph-compatible
# senders and tests. 64 characters is far above a page-scoped id and well under the column.
SENDER_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
# The payload of the "Get Started" button (set in the page's Messenger profile): greets like
# the widget's initPayload does, instead of reaching the NLU as the text "GET_STARTED".
GET_STARTED = "GET_STARTED"
GREET = "/greet"


@dataclass(frozen=True)
class Incoming:
    """One messaging event to answer. `key`: sha256 of its message id (or of what identifies an
    event without one), the same for every redelivery."""

    key: str
    sender: str
    event: dict[str, Any]

    @property
    def mid(self) -> str | None:
        mid = message_id(self.event)
        return mid if isinstance(mid, str) else None


def as_object(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else {}: deliveries are checked, never trusted."""
    return value if isinstance(value, dict) else {}


def messaging_events(payload: dict[str, Any]) -> Iterator[Any]:
    """Every messaging event of every entry, in delivery order."""
    for entry in payload.get("entry") or []:
        events = as_object(entry).get("messaging")
        yield from events if isinstance(events, list) else []


def message_id(event: dict[str, Any]) -> Any:
    """`message.mid`, or `postback.mid` (Graph API v8+ gives postbacks one too)."""
    return as_object(event.get("message")).get("mid") or as_object(event.get("postback")).get("mid")


def sender_problem(sender: Any) -> str | None:
    """Why a sender id is refused, or None when it is fine."""
    if not isinstance(sender, (str, int)) or isinstance(sender, bool):
        return "missing sender id"
    text = str(sender)
    if SENDER_ID.fullmatch(text):
        return None
    if "\x00" in text:
        return "sender id contains a NUL byte"
    if len(text) > 64:
        return f"sender id of {len(text)} characters (at most 64)"
    return "sender id with characters other than letters, digits, '_' and '-'"


def dedup_key(event: dict[str, Any], sender: str) -> str:
    """The same key for every delivery of one event: its message id; without one (old postbacks)
    the sender, the timestamp Facebook gave it and its content."""
    mid = message_id(event)
    if isinstance(mid, str) and mid:
        material = f"mid:{mid}"
    else:
        content = json.dumps(
            {k: v for k, v in event.items() if k in ("message", "postback")}, sort_keys=True
        )
        material = f"event:{sender}:{event.get('timestamp')}:{content}"
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def is_answerable(event: dict[str, Any]) -> bool:
    """A message (not an echo of ours) or a postback; not a delivery/read receipt."""
    message = event.get("message")
    if isinstance(message, dict):
        return not message.get("is_echo")
    return isinstance(event.get("postback"), dict)


def incoming(payload: dict[str, Any]) -> tuple[list[Incoming], list[str]]:
    """The events to answer, and the reasons events were refused."""
    accepted: list[Incoming] = []
    refused: list[str] = []
    for event in messaging_events(payload):
        if not isinstance(event, dict) or not is_answerable(event):
            continue
        sender = as_object(event.get("sender")).get("id")
        problem = sender_problem(sender)
        if problem:
            refused.append(problem)
            continue
        accepted.append(Incoming(dedup_key(event, str(sender)), str(sender), event))
    return accepted, refused


def incoming_text(event: dict[str, Any]) -> str | None:
    """The text a messaging event carries: a quick reply's payload, typed text or a postback's
    payload ("Get Started" greets)."""
    message = as_object(event.get("message"))
    candidates = (
        as_object(message.get("quick_reply")).get("payload"),
        message.get("text"),
        as_object(event.get("postback")).get("payload"),
    )
    text = next((c for c in candidates if isinstance(c, str) and c), None)
    return GREET if text == GET_STARTED else text


def has_attachment(event: dict[str, Any]) -> bool:
    message = as_object(event.get("message"))
    return bool(message.get("attachments") or message.get("sticker_id"))
