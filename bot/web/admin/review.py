"""Conversation review: conversations that ended in a fallback, a 👎 or a handoff, with sender
ids hidden (each is named by its deletion reference), newest first, paged. From a student's
question, "Add an FAQ answer" opens the FAQ editor pre-filled with it; from an answer that named
its facts (the analytics metadata), "Edit the fact" opens the fact editor.

Also here: deleting a conversation by the reference a student was given (bot/privacy/).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.privacy.conversations import REASONS, review_page
from bot.privacy.deletion import DeletionRefused, delete_by_reference
from bot.web.admin import render
from bot.web.admin.auth import guarded, who
from bot.web.admin.context import Admin, run_sync

log = logging.getLogger(__name__)
FACT_EDITOR = "/admin/knowledge/fact"  # issue 14's fact editor (`?path=`)


def faq_link(question: str) -> str:
    return "/admin/entries/new?" + urlencode({"question": question})


def fact_link(path: str) -> str:
    return f"{FACT_EDITOR}?{urlencode({'path': path})}"


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


async def _show(
    request: Request,
    *,
    reference: str = "",
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTTPResponse:
    admin: Admin = request.app.ctx.admin
    key = await run_sync(admin.inbox.salt)
    view = await run_sync(review_page, admin.tracker(), key, _page_number(request))
    return render.page(
        request,
        "review.html",
        status=status,
        view=view,
        reasons=REASONS,
        faq_link=faq_link,
        fact_link=fact_link,
        reference=reference,
        error=error,
        done=done,
    )


@guarded(api=False)
async def show(request: Request) -> HTTPResponse:
    done = request.args.get("deleted")
    return await _show(request, done=f"Deleted conversation {done}." if done else None)


@guarded(api=False)
async def delete(request: Request) -> HTTPResponse:
    """Delete by reference; a reference that deletes nothing is shown again, with why."""
    admin: Admin = request.app.ctx.admin
    reference = (request.form.get("reference") or "").strip()[:100]
    try:
        result = await run_sync(delete_by_reference, reference, admin.tracker(), admin.engine)
    except DeletionRefused as refused:
        return await _show(request, reference=reference, error=str(refused), status=422)
    log.info("%s: %s", who(request), result.summary())
    return render.redirect("/admin/review?" + urlencode({"deleted": result.reference}) + "#delete")


ROUTES = [
    (show, "/review", ["GET"]),
    (delete, "/review/delete", ["POST"]),
]
