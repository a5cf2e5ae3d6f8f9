"""Only Rasa may call the action server: a shared secret, and the guard's limits.

The action server writes to the staff database (inbox questions, handoffs) on behalf of a
student, trusting the tracker it is sent. Listening on 127.0.0.1 (or on an internal network in
compose and Kubernetes) still lets any local process or pod call it, so every request except
the probes (`GET /health`, `/ready`) must carry `Authorization: Bearer <ACTION_SERVER_TOKEN>`,
which Rasa sends from endpoints.yml (`action_endpoint.headers`). A request without it, or with
another token, gets 401 `{"error": "unauthorized"}` before its body is parsed or any action
runs; the token is compared in constant time and never echoed or logged. `/health` and `/ready`
stay open for readiness probes: they say "ok" / whether the FAQ is loaded, and nothing else.

The secret: `make run` (bot/ops/processes.py) generates one per start when ACTION_SERVER_TOKEN is
not set; the scaled profile keeps one in var/scaled/secrets.json; compose and Kubernetes read it
from the environment / the `beu-secrets` Secret (deploy/). The action server refuses to start
without one.

An authenticated call is also held to the guard's limits (bot/rasa_server/guard.py): the latest
message at most MAX_MESSAGE_CHARS characters (413), the sender id at most MAX_SENDER_CHARS
(400). Rasa never sends more, since its channels apply the same limits first. The body limit
stays ACTIONS_MAX_REQUEST_BYTES (bot/action_server/app.py): an action call carries the whole
conversation, which outgrows the guard's limit for one incoming message.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_server.guard import MAX_SENDER_CHARS, max_message_chars

TOKEN_ENV = "ACTION_SERVER_TOKEN"
MIN_TOKEN_CHARS = 16
OPEN_PATHS = frozenset({"/health", "/ready"})  # probes: no conversation data


class MissingToken(RuntimeError):
    """The action server was started without a usable ACTION_SERVER_TOKEN."""


def configured_token(env: Mapping[str, str] | None = None) -> str:
    """ACTION_SERVER_TOKEN, or MissingToken saying how to set one."""
    token = ((os.environ if env is None else env).get(TOKEN_ENV) or "").strip()
    if len(token) < MIN_TOKEN_CHARS:
        raise MissingToken(
            f"{TOKEN_ENV} is {'too short' if token else 'not set'}: the action server only "
            f"answers Rasa, which sends this shared secret (at least {MIN_TOKEN_CHARS} "
            "characters). `make run` generates one; otherwise set it for both, e.g. "
            f"{TOKEN_ENV}=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return token


def authorised(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries `Bearer <token>` (constant-time compare)."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def unauthorised() -> HTTPResponse:
    return response.json(
        {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"}
    )


def require_token(app: Sanic, token: str) -> Sanic:
    """Refuse every request but `GET /health` that lacks the shared secret. Register this
    before any other request middleware: it must run first."""

    @app.middleware("request")
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        if not authorised(request.headers.get("Authorization"), token):
            return unauthorised()
        return None

    return app


def limit_problem(call: Mapping[str, Any]) -> tuple[int, str] | None:
    """(status, reason) when an action call exceeds the guard's limits, else None."""
    tracker = call.get("tracker") or {}
    for sender in (call.get("sender_id"), tracker.get("sender_id")):
        if sender is not None and (not isinstance(sender, str) or len(sender) > MAX_SENDER_CHARS):
            return 400, f"sender id over {MAX_SENDER_CHARS} characters"
    latest = tracker.get("latest_message") or {}
    text = latest.get("text") if isinstance(latest, dict) else None
    if isinstance(text, str) and len(text) > max_message_chars():
        return 413, f"message over {max_message_chars()} characters"
    return None
