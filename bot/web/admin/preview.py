""" "What would the bot answer now?": one question to the running bot's REST channel.

Each preview is a fresh conversation under a `staff-preview-<uuid4 hex>` sender, so no earlier
context leaks in, and the bot can tell previews apart (they don't go to the inbox).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.staff_db.validation import ValidationError
from bot.web.admin import render
from bot.web.admin.auth import guarded

SENDER_PREFIX = "staff-preview-"
MAX_QUESTION = 1000


@dataclass
class Preview:
    question: str
    sender: str
    replies: list[dict[str, Any]] = field(default_factory=list)  # {"text", "buttons": [titles]}
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "sender": self.sender,
            "replies": self.replies,
            "error": self.error,
        }


def check_question(question: Any) -> str:
    if not isinstance(question, str) or not question.strip():
        raise ValidationError({"question": "type the question a student would ask"})
    if len(question) > MAX_QUESTION:
        raise ValidationError({"question": f"the question is over {MAX_QUESTION} characters"})
    return question.strip()


def _reply(message: Any) -> dict[str, Any] | None:
    if not isinstance(message, dict):
        return None
    buttons = [
        str(b.get("title", ""))
        for b in message.get("buttons") or []
        if isinstance(b, dict) and b.get("title")
    ]
    text = message.get("text")
    if not isinstance(text, str):
        text = ""
    if not text and not buttons:
        return None
    return {"text": text, "buttons": buttons}


async def ask_bot(url: str, question: str, timeout: float) -> Preview:
    """The bot's replies to `question`; on failure `error` says what went wrong, for staff."""
    question = check_question(question)
    preview = Preview(question=question, sender=SENDER_PREFIX + uuid.uuid4().hex)
    body = {"sender": preview.sender, "message": question, "metadata": {"staff_preview": True}}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as client,
            client.post(url, json=body) as reply,
        ):
            if reply.status != 200:
                preview.error = f"the assistant answered with HTTP {reply.status}"
                return preview
            messages = await reply.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        reason = error.__class__.__name__ if not str(error) else str(error)
        preview.error = f"the assistant is not reachable ({reason})"
        return preview
    if not isinstance(messages, list):
        preview.error = "the assistant sent something that is not a list of messages"
        return preview
    preview.replies = [r for r in map(_reply, messages) if r is not None]
    return preview


# -- the screen ------------------------------------------------------------------------------


@guarded(api=False)
async def show(request: Request) -> HTTPResponse:
    question = request.args.get("question", "")
    return render.page(request, "preview.html", question=question, preview=None, errors={})


@guarded(api=False)
async def ask(request: Request) -> HTTPResponse:
    question = request.form.get("question") or ""
    try:
        preview = await ask_bot_for(request, question)
    except ValidationError as error:
        return render.page(
            request, "preview.html", status=422, question=question, preview=None,
            errors=error.errors,
        )  # fmt: skip
    return render.page(request, "preview.html", question=question, preview=preview, errors={})


async def ask_bot_for(request: Request, question: str) -> Preview:
    settings = request.app.ctx.admin.settings
    return await ask_bot(settings.bot_rest_url, question, settings.preview_timeout_seconds)


ROUTES = [
    (show, "/preview", ["GET"]),
    (ask, "/preview", ["POST"]),
]
