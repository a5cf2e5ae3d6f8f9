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
# "": as the student's message says (detected, bot/language/detect.py); else answered in this one.
PREVIEW_LANGUAGES = {"": "As written", "en": "English", "az": "Azerbaijani", "ru": "Russian",
                     "tr": "Turkish"}  # fmt: skip
MAX_QUESTION = 1000


@dataclass
class Preview:
    question: str
    sender: str
    language: str = ""
    replies: list[dict[str, Any]] = field(default_factory=list)  # {"text", "buttons": [titles]}
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "sender": self.sender,
            "replies": self.replies,
            "error": self.error,
            "language": self.language,
        }


def check_question(question: Any) -> str:
    if not isinstance(question, str) or not question.strip():
        raise ValidationError({"question": "type the question a student would ask"})
    if len(question) > MAX_QUESTION:
        raise ValidationError({"question": f"the question is over {MAX_QUESTION} characters"})
    return question.strip()


def check_language(language: Any) -> str:
    if language in (None, ""):
        return ""
    if language not in PREVIEW_LANGUAGES:
        choices = ", ".join(code for code in PREVIEW_LANGUAGES if code)
        raise ValidationError({"language": f"unknown language {language!r}; use one of {choices}"})
    return language


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


async def ask_bot(url: str, question: str, timeout: float, language: str = "") -> Preview:
    """The bot's replies to `question` (in `language`, else the question's own); on failure
    `error` says what went wrong, for staff."""
    question, language = check_question(question), check_language(language)
    preview = Preview(question=question, sender=SENDER_PREFIX + uuid.uuid4().hex, language=language)
    metadata = {"staff_preview": True, **({"language": language} if language else {})}
    body = {"sender": preview.sender, "message": question, "metadata": metadata}
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
    return render.page(
        request, "preview.html", question=question, preview=None, errors={}, language="",
        languages=PREVIEW_LANGUAGES,
    )  # fmt: skip


@guarded(api=False)
async def ask(request: Request) -> HTTPResponse:
    question = request.form.get("question") or ""
    language = request.form.get("language") or ""
    try:
        preview = await ask_bot_for(request, question, language)
    except ValidationError as error:
        return render.page(
            request, "preview.html", status=422, question=question, preview=None,
            errors=error.errors, language=language, languages=PREVIEW_LANGUAGES,
        )  # fmt: skip
    return render.page(
        request, "preview.html", question=question, preview=preview, errors={},
        language=language, languages=PREVIEW_LANGUAGES,
    )  # fmt: skip


async def ask_bot_for(request: Request, question: str, language: Any = "") -> Preview:
    settings = request.app.ctx.admin.settings
    return await ask_bot(
        settings.bot_rest_url, question, settings.preview_timeout_seconds, language
    )


ROUTES = [
    (show, "/preview", ["GET"]),
    (ask, "/preview", ["POST"]),
]
