"""The knowledge base as JSON under /admin/api/facts: the screens' operations, for scripts.

Same session, CSRF and error shapes as bot/web/admin/api.py: 401 without a session, 403 without
the X-CSRF-Token header, 404 {"error": "not found"}, 409 {"error": "conflict", "current",
"attempted"}, 422 {"errors": {field: message}} with fields located relative to the fact
("count", "confirmed.note", "universities[2]"; "" for the whole fact). A fact is named by `path`.

    GET  /api/facts                   {"revision", "facts": [fact...]}
    GET  /api/facts?path=P            fact: {"path", "kind", "data", "version", "as_of",
                                             "review_by", "owner"}
    PUT  /api/facts?path=P            {"data", "base_version", "note"?} -> fact
    POST /api/facts                   {"list", "data"} -> 201 fact (the new item)
    POST /api/facts/retire?path=P     {"reason", "base_version"} -> {"retired": P, "revision"}
    GET  /api/facts/history?path=P    {"history": [{"revision", "action", "who", "at", "note",
                                                    "data"}]}
    POST /api/facts/rollback?path=P   {"revision", "base_version"} -> fact
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.staff_db.knowledge import FactConflict, FactView, KnowledgeValidationError
from bot.staff_db.validation import ValidationError
from bot.web.admin.api import json_body
from bot.web.admin.auth import guarded, who
from bot.web.admin.context import run_sync
from bot.web.admin.knowledge import fact_history


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def fact_json(view: FactView) -> dict[str, Any]:
    return _jsonable(
        {
            "path": view.path,
            "kind": view.kind,
            "data": view.data,
            "version": view.version,
            "as_of": view.as_of,
            "review_by": view.review_by,
            "owner": view.owner,
        }
    )


def _conflict(conflict: FactConflict) -> HTTPResponse:
    return response.json(
        {
            "error": "conflict",
            "message": "someone else changed this fact since the version you edited",
            "current": fact_json(conflict.current),
            "attempted": _jsonable(conflict.attempted),
        },
        status=409,
    )


def _invalid(error: KnowledgeValidationError) -> HTTPResponse:
    return response.json({"errors": dict(error.errors)}, status=422)


def _repository(request: Request) -> Any:
    return request.app.ctx.admin.knowledge


def _path(request: Request) -> str:
    path = (request.args.get("path") or "").strip()
    if not path:
        raise ValidationError({"path": "name the fact: ?path=..."})
    return path


def _version(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError({name: "send the revision number you started from (an integer)"})
    return value


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise ValidationError({"data": "send the fact as a JSON object"})
    return data


@guarded(api=True)
async def facts(request: Request) -> HTTPResponse:
    """Every fact, or the one `?path=` names."""
    repository = _repository(request)
    if request.args.get("path") is not None:
        view = await run_sync(repository.fact, _path(request))
        return response.json(fact_json(view))
    views = await run_sync(repository.facts)
    marker = await run_sync(repository.revision_marker)
    return response.json({"revision": marker, "facts": [fact_json(v) for v in views]})


@guarded(api=True)
async def edit(request: Request) -> HTTPResponse:
    repository, path, body = _repository(request), _path(request), json_body(request)
    data, base_version = _data(body), _version(body, "base_version")
    note = body.get("note") or ""
    if not isinstance(note, str):
        raise ValidationError({"note": "a note is text"})
    try:
        await run_sync(repository.edit_fact, path, data, base_version, who(request), note)
    except KnowledgeValidationError as error:
        return _invalid(error)
    except FactConflict as conflict:
        return _conflict(conflict)
    return response.json(fact_json(await run_sync(repository.fact, path)))


@guarded(api=True)
async def add(request: Request) -> HTTPResponse:
    repository, body = _repository(request), json_body(request)
    list_path = body.get("list")
    if not isinstance(list_path, str) or not list_path.strip():
        raise ValidationError({"list": "name the list to add to, such as organisations"})
    try:
        path = await run_sync(repository.add_item, list_path.strip(), _data(body), who(request))
    except KnowledgeValidationError as error:
        return _invalid(error)
    return response.json(fact_json(await run_sync(repository.fact, path)), status=201)


@guarded(api=True)
async def retire(request: Request) -> HTTPResponse:
    repository, path, body = _repository(request), _path(request), json_body(request)
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": "say why it is retired"})
    base_version = _version(body, "base_version")
    try:
        revision = await run_sync(
            repository.retire, path, reason.strip(), base_version, who(request)
        )
    except KnowledgeValidationError as error:
        return _invalid(error)
    except FactConflict as conflict:
        return _conflict(conflict)
    return response.json({"retired": path, "revision": revision})


def revision_json(revision: Any) -> dict[str, Any]:
    fields = dataclasses.asdict(revision) if dataclasses.is_dataclass(revision) else vars(revision)
    return _jsonable(fields)


@guarded(api=True)
async def history(request: Request) -> HTTPResponse:
    revisions = await run_sync(fact_history, _repository(request), _path(request))
    return response.json({"history": [revision_json(r) for r in revisions]})


@guarded(api=True)
async def rollback(request: Request) -> HTTPResponse:
    repository, path, body = _repository(request), _path(request), json_body(request)
    errors: dict[str, str] = {}
    for name in ("revision", "base_version"):
        try:
            _version(body, name)
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    try:
        await run_sync(
            repository.rollback, path, body["revision"], body["base_version"], who(request)
        )
    except KnowledgeValidationError as error:
        return _invalid(error)
    except FactConflict as conflict:
        return _conflict(conflict)
    return response.json(fact_json(await run_sync(repository.fact, path)))


ROUTES = [
    (facts, "/api/facts", ["GET"]),
    (edit, "/api/facts", ["PUT"]),
    (add, "/api/facts", ["POST"]),
    (retire, "/api/facts/retire", ["POST"]),
    (history, "/api/facts/history", ["GET"]),
    (rollback, "/api/facts/rollback", ["POST"]),
]
