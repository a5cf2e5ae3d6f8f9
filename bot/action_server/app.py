"""rasa_sdk's action server app, hardened so that it never sends conversation data back in an
error.

rasa_sdk's exception handler answers any exception with a 500 whose body is
`{"error": str(exception), "request_body": request.json}`: the whole tracker (every message the
student typed, slots, metadata) plus whatever the exception says, to whoever called. Here:

- any exception becomes `{"error": "<generic phrase>"}` with its HTTP status (500 for a crash,
  Sanic's own status such as 400/404/405/413 for its errors); the traceback goes to the log only;
- a body that is not a JSON object with a string `next_action` and an object `tracker` is a 400
  before any action runs;
- a deflate-compressed body may not expand past the request size limit (no zip bombs);
- request bodies are capped at ACTIONS_MAX_REQUEST_BYTES (default 16 MiB; Sanic's default is
  100 MB);
- it listens on SANIC_HOST, default 127.0.0.1 (rasa_sdk: 0.0.0.0): it is an internal service;
- it answers only Rasa (a shared secret) and applies the guard's limits to each action call
  (bot/action_server/auth.py).

The 400 (a form rejecting input) and 404 (unknown action) bodies of rasa_sdk are kept: Rasa reads
them, and they hold only the action's name and the action's own message.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from http import HTTPStatus
from typing import Any

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.action_server.auth import configured_token, limit_problem, require_token

logger = logging.getLogger(__name__)

DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024
GENERIC_500 = "the action server could not run this action"


def max_request_bytes() -> int:
    raw = os.environ.get("ACTIONS_MAX_REQUEST_BYTES", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_MAX_REQUEST_BYTES


def error_response(status: int, message: str | None = None) -> HTTPResponse:
    try:
        phrase = HTTPStatus(status).phrase.lower()
    except ValueError:
        phrase = "error"
    return response.json({"error": message or phrase}, status=status)


def _action_call(body: bytes, deflated: bool, limit: int) -> Any:
    """The decoded action call, or SanicException (400/413) when the body is unusable."""
    if deflated:
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(body, limit + 1)
        except zlib.error:
            raise SanicException("bad request", status_code=400) from None
        if len(body) > limit or inflater.unconsumed_tail:
            raise SanicException("payload too large", status_code=413)
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise SanicException("bad request", status_code=400) from None


def harden(app: Sanic) -> Sanic:
    """Make rasa_sdk's app answer errors without echoing anything of the request."""
    limit = max_request_bytes()
    app.config.REQUEST_MAX_SIZE = limit

    def safe_error(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            status = getattr(exception, "status_code", 500) or 500
            return error_response(status)
        logger.error(
            "action server: %s while handling %s %s",
            type(exception).__name__,
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc_info=exception,
        )
        return error_response(500, GENERIC_500)

    # replaces rasa_sdk's handler for Exception (the one that echoes the request body)
    app.error_handler.add(Exception, safe_error)

    @app.middleware("request")
    async def validate_action_call(request: Request) -> HTTPResponse | None:
        if request.method != "POST" or request.path != "/webhook":
            return None
        deflated = request.headers.get("Content-Encoding") == "deflate"
        call = _action_call(request.body or b"", deflated, limit)
        if not (
            isinstance(call, dict)
            and isinstance(call.get("next_action"), str)
            and isinstance(call.get("tracker"), dict)
            and isinstance(call.get("domain") or {}, dict)
        ):
            return error_response(400, "expected an action call: next_action, tracker")
        too_big = limit_problem(call)  # the guard's limits, as on every channel
        if too_big:
            return error_response(*too_big)
        if not deflated:
            request.parsed_json = call  # rasa_sdk's handler reads request.json: parse once
        return None

    @app.middleware("response")
    async def no_details_in_server_errors(request: Request, reply: HTTPResponse) -> Any:
        if reply is not None and reply.status >= 500 and request.path != "/ready":
            # whatever produced it: generic body (/ready's 503 is its own "loading")
            return error_response(reply.status, GENERIC_500)
        return None

    return app


def create_app(
    actions: str, cors_origins: Any = None, auto_reload: bool = False, token: str | None = None
) -> Sanic:
    """rasa_sdk's app that answers only Rasa (`token`, default ACTION_SERVER_TOKEN; see
    bot/action_server/auth.py), hardened."""
    from rasa_sdk.endpoint import create_app as sdk_create_app

    token = configured_token() if token is None else token  # before the actions load
    app = sdk_create_app(actions, cors_origins=cors_origins, auto_reload=auto_reload)
    require_token(app, token)  # the first request middleware: nothing runs before it

    @app.get("/ready")
    async def ready(request: Request) -> HTTPResponse:
        """/health answers as soon as knowledge-base answers are served; /ready once the staff
        FAQ and the fact retrieval (both loaded in the background) answer too: what a first
        start waits for."""
        from bot.faq.service import faq_ready
        from bot.understanding.facts import ready as facts_ready

        faq, facts = faq_ready(), facts_ready()
        body = {
            name: "loaded" if done else "loading" for name, done in (("faq", faq), ("facts", facts))
        }
        return response.json(body, 200 if faq and facts else 503)

    return harden(app)
