"""A locked or read-only staff database, as staff see it: "busy, nothing was lost, try again".

The store waits at most STAFF_DB_WAIT_SECONDS for a lock (bot/staff_db/db.py), then raises an
error `store_unavailable` recognises. Every admin route (but the login paths) is wrapped in
`unless_busy` when it is registered, so no such error reaches the staff member as a bare 500:

- JSON (/admin/api): 503 {"error": "database_busy", "message"} with Retry-After;
- HTML: a 503 page saying so; for a form that was posted, the page shows what was typed and a
  "Try again" button that posts exactly the same fields again. The entry form itself is shown
  again, filled in, by its own handlers (entries.py) where they can.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.staff_db.db import store_unavailable
from bot.web.admin import render

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = (
    "The database is busy, nothing was lost, try again in a few seconds. "
    "Nothing was saved yet: what you typed is still here."
)
BUSY_API_MESSAGE = "the database is busy, nothing was lost, try again"
HIDDEN_FIELDS = {"csrf_token", "version", "inbox_ids", "ids", "to_version", "action"}
Handler = Callable[..., Awaitable[HTTPResponse]]


def busy_headers() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def busy_json(message: str = BUSY_API_MESSAGE) -> HTTPResponse:
    return response.json(
        {"error": "database_busy", "message": message}, status=503, headers=busy_headers()
    )


def posted_fields(request: Request) -> list[tuple[str, str]]:
    """Every (name, value) of a posted form, in order, repeated names kept."""
    form = request.form if request.method == "POST" and request.form else {}
    return [(name, value) for name in form for value in form.getlist(name)]


def busy_page(request: Request) -> HTTPResponse:
    fields = posted_fields(request)
    shown = [(name, value) for name, value in fields if name not in HIDDEN_FIELDS and value]
    resp = render.page(
        request,
        "busy.html",
        status=503,
        session=getattr(request.ctx, "session", None),
        message=BUSY_MESSAGE,
        fields=fields,
        shown=shown,
        retry_url=request.path if fields else None,
    )
    resp.headers.update(busy_headers())
    return resp


def unless_busy(handler: Handler, api: bool) -> Handler:
    """`handler`, answering "busy" instead of failing when the database refuses."""

    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            return await handler(request, *args, **kwargs)
        except Exception as error:
            if not store_unavailable(error):
                raise
            log.warning(
                "admin %s %s: staff database unavailable (%s): answered 503 busy",
                request.method,
                request.path,
                type(error).__name__,
            )
            return busy_json() if api else busy_page(request)

    return wrapper
