"""The admin's JSON API under /admin/api/: the same rules as the screens, for scripts and tests.

Every route but login needs the session cookie; every POST/PUT also the `X-CSRF-Token` header
(the token login returns). Errors: 401 no session, 403 bad token, 404 unknown id,
409 {"error": "conflict", "current", "attempted"}, 422 {"errors": {field: message}}.
"""

from __future__ import annotations

from typing import Any

from sanic import response
from sanic.headers import parse_content_header
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import OperationalError

from bot.staff_db.faq import ConflictError
from bot.staff_db.users import RateLimited
from bot.staff_db.validation import STATES, ValidationError
from bot.web.admin.auth import (
    database_busy_json,
    guarded,
    log_database_busy,
    rate_limited_json,
    start_session,
    verify_password,
    who,
)
from bot.web.admin.context import Admin, jsonable_draft, run_sync
from bot.web.admin.forms import draft_from_json, parse_ids, parse_version
from bot.web.admin.inbox import handoff_view, load_inbox
from bot.web.admin.preview import ask_bot_for


def _admin(request: Request) -> Admin:
    return request.app.ctx.admin


SEND_JSON = "send JSON (Content-Type: application/json)"


def is_json(request: Request) -> bool:
    """The body is declared JSON: application/json or application/<something>+json.

    Exactly, not "json" anywhere in the header: a cross-site form may post text/plain (no
    preflight), and its body can be made to parse as JSON."""
    media_type, _ = parse_content_header(request.headers.get("content-type", ""))
    media_type = media_type.strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def json_body(request: Request) -> dict[str, Any]:
    """The JSON object sent; anything else is a 422 on the `body` field."""
    if not is_json(request):
        raise ValidationError({"body": SEND_JSON})
    try:
        body = request.json
    except Exception as error:  # Sanic raises InvalidUsage on malformed JSON
        raise ValidationError({"body": "malformed JSON"}) from error
    if not isinstance(body, dict):
        raise ValidationError({"body": "expected a JSON object"})
    return body


def _ids(value: Any, field: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError({field: "expected a list of ids"})
    try:
        return parse_ids(value)
    except ValidationError as error:
        raise ValidationError({field: error.errors["ids"]}) from error


def _conflict(conflict: ConflictError) -> HTTPResponse:
    return response.json(
        {
            "error": "conflict",
            "message": str(conflict),
            "current": conflict.current.to_dict(),
            "attempted": jsonable_draft(conflict.attempted),
        },
        status=409,
    )


async def login(request: Request) -> HTTPResponse:
    if not is_json(request):
        return response.json(
            {
                "error": "unsupported_media_type",
                "message": "send the login as JSON (Content-Type: application/json)",
            },
            status=415,
        )
    try:
        body = json_body(request)
    except ValidationError as error:
        return response.json({"errors": error.errors}, status=422)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return response.json({"errors": {"username": "username and password are required"}}, 422)
    try:
        session = await verify_password(request, username.strip(), password)
    except RateLimited as error:
        return rate_limited_json(error)
    except OperationalError as error:
        log_database_busy(error)
        return database_busy_json()
    if session is None:
        return response.json({"error": "wrong username or password"}, status=401)
    resp = response.json({"username": session.username, "csrf_token": session.csrf_token})
    start_session(request, resp, session)
    return resp


@guarded(api=True)
async def me(request: Request) -> HTTPResponse:
    session = request.ctx.session
    return response.json({"username": session.username, "csrf_token": session.csrf_token})


@guarded(api=True)
async def list_entries(request: Request) -> HTTPResponse:
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        raise ValidationError({"state": f"use one of {', '.join(STATES)}"})
    entries = await run_sync(_admin(request).faq.list_entries, request.args.get("q"), state)
    return response.json({"entries": [e.to_dict() for e in entries]})


@guarded(api=True)
async def create_entry(request: Request) -> HTTPResponse:
    body = json_body(request)
    draft = draft_from_json(body)
    if "state" in body:
        draft.state = body["state"]
    ids = _ids(body.get("inbox_ids"), "inbox_ids")
    entry = await run_sync(_admin(request).create_entry, draft, who(request), ids)
    return response.json(entry.to_dict(), status=201)


@guarded(api=True)
async def get_entry(request: Request, entry_id: int) -> HTTPResponse:
    entry = await run_sync(_admin(request).faq.get, entry_id)
    return response.json(entry.to_dict())


@guarded(api=True)
async def update_entry(request: Request, entry_id: int) -> HTTPResponse:
    """Change content (state only by publish/unpublish); `version` is the one edited."""
    admin = _admin(request)
    body = json_body(request)
    version = parse_version(body.get("version"))
    current = await run_sync(admin.faq.get, entry_id)
    draft = draft_from_json(body, base=current.draft())
    try:
        entry = await run_sync(admin.update_entry, entry_id, draft, version, who(request))
    except ConflictError as conflict:
        return _conflict(conflict)
    return response.json(entry.to_dict())


async def _state(request: Request, entry_id: int, publish: bool) -> HTTPResponse:
    admin = _admin(request)
    body = json_body(request) if request.body else {}
    version = parse_version(body["version"]) if body.get("version") is not None else None
    change = admin.publish if publish else admin.unpublish
    try:
        entry = await run_sync(change, entry_id, who(request), version)
    except ConflictError as conflict:
        return _conflict(conflict)
    return response.json(entry.to_dict())


@guarded(api=True)
async def publish(request: Request, entry_id: int) -> HTTPResponse:
    return await _state(request, entry_id, True)


@guarded(api=True)
async def unpublish(request: Request, entry_id: int) -> HTTPResponse:
    return await _state(request, entry_id, False)


@guarded(api=True)
async def history(request: Request, entry_id: int) -> HTTPResponse:
    revisions = await run_sync(_admin(request).faq.history, entry_id)
    return response.json(
        {
            "history": [
                {
                    "version": r.version,
                    "action": r.action,
                    "who": r.who,
                    "at": r.at.isoformat(),
                    "snapshot": r.snapshot,
                }
                for r in revisions
            ]
        }
    )


@guarded(api=True)
async def rollback(request: Request, entry_id: int) -> HTTPResponse:
    body = json_body(request)
    errors: dict[str, str] = {}
    for name in ("to_version", "version"):
        try:
            parse_version(body.get(name), name)
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    to_version, version = int(body["to_version"]), int(body["version"])
    admin = _admin(request)
    try:
        entry = await run_sync(admin.rollback, entry_id, to_version, version, who(request))
    except ConflictError as conflict:
        return _conflict(conflict)
    return response.json(entry.to_dict())


@guarded(api=True)
async def preview(request: Request) -> HTTPResponse:
    body = json_body(request)
    result = await ask_bot_for(request, body.get("question"), body.get("language"))
    return response.json(result.to_dict(), status=502 if result.error else 200)


@guarded(api=True)
async def inbox(request: Request) -> HTTPResponse:
    return response.json(await load_inbox(request))


@guarded(api=True)
async def dismiss(request: Request) -> HTTPResponse:
    ids = _ids(json_body(request).get("ids"), "ids")
    if not ids:
        raise ValidationError({"ids": "name the questions to dismiss"})
    count = await run_sync(_admin(request).inbox.dismiss, ids, who(request))
    return response.json({"dismissed": count})


@guarded(api=True)
async def close_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    handoff = await run_sync(_admin(request).inbox.close_handoff, handoff_id, who(request))
    return response.json(handoff_view(handoff))


ROUTES = [
    (login, "/api/login", ["POST"]),
    (me, "/api/me", ["GET"]),
    (list_entries, "/api/entries", ["GET"]),
    (create_entry, "/api/entries", ["POST"]),
    (get_entry, "/api/entries/<entry_id:int>", ["GET"]),
    (update_entry, "/api/entries/<entry_id:int>", ["PUT"]),
    (publish, "/api/entries/<entry_id:int>/publish", ["POST"]),
    (unpublish, "/api/entries/<entry_id:int>/unpublish", ["POST"]),
    (history, "/api/entries/<entry_id:int>/history", ["GET"]),
    (rollback, "/api/entries/<entry_id:int>/rollback", ["POST"]),
    (preview, "/api/preview", ["POST"]),
    (inbox, "/api/inbox", ["GET"]),
    (dismiss, "/api/inbox/dismiss", ["POST"]),
    (close_handoff, "/api/handoffs/<handoff_id:int>/close", ["POST"]),
]
