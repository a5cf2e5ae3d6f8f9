"""The knowledge-base screens under /admin/knowledge: every fact, edit, add, retire, history.

A fact is addressed by its path (`organisations[graz]`, `projects[promig].events[2]`,
`office.contacts`) in the `path` query parameter. Thin adapters like entries.py: read the form
(bot/web/admin/fact_forms.py), call the repository (bot/staff_db/knowledge.py), render the result
or the errors next to their fields. Saving is publishing: the live servers follow the revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as url_quote

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.kb.fact_paths import PathError
from bot.staff_db.db import store_unavailable
from bot.staff_db.knowledge import (
    FactConflict,
    FactRevision,
    FactView,
    KnowledgeValidationError,
    NotFoundError,
)
from bot.staff_db.validation import ValidationError
from bot.web.admin import fact_preview, render
from bot.web.admin.auth import guarded, who
from bot.web.admin.busy import BUSY_MESSAGE, busy_headers
from bot.web.admin.context import Admin, run_sync
from bot.web.admin.fact_forms import (
    ADDABLE,
    CONFIRMED,
    FactForm,
    data_from_form,
    fact_form,
    form_values,
    labels,
    located,
    posted_values,
)

DONE = {
    "saved": "Saved and published: the assistant answers from this version within seconds.",
    "added": "Added and published: the assistant knows it within seconds.",
    "retired": "Retired: kept in the history, and no longer answered.",
    "rolled_back": "Rolled back: that version is now the live one.",
}
# How the knowledge base is grouped on screen: by the top-level key of a fact's path.
GROUPS = (
    ("Office and contacts", ("university", "office")),
    ("Exchange programmes and partners", ("exchange_programmes", "organisations", "cooperation")),
    ("Programmes", ("programmes",)),
    ("Projects", ("projects", "project_groups")),
    ("Students", ("mobility", "international_students")),
    ("Scholarships", ("scholarship_support",)),
)


def _admin(request: Request) -> Admin:
    return request.app.ctx.admin


def fact_url(path: str, page: str = "fact", done: str | None = None) -> str:
    url = f"/admin/knowledge/{page}?path={url_quote(path, safe='')}"
    return url + (f"&done={done}" if done else "")


def top_key(path: str) -> str:
    return path.replace("[", ".").split(".", 1)[0]


def title_of(data: dict[str, Any], path: str) -> str:
    """A fact as staff recognise it in a list: its name, else its words, else its path."""
    if data.get("acronym") and data.get("name"):
        return f"{data['acronym']}: {data['name']}"
    for key in ("name", "text", "label"):
        if data.get(key):
            return str(data[key])
    if data.get("items"):
        return ", ".join(map(str, data["items"]))
    if "count" in data:
        return f"{data.get('count')} {data.get('unit') or ''}".strip()
    if data.get("emails") or data.get("phone"):
        return ", ".join([*data.get("emails", []), data.get("phone") or ""]).strip(", ")
    return path


def quotes_of(data: dict[str, Any]) -> list[str]:
    quotes = data.get("quote") or []
    return [quotes] if isinstance(quotes, str) else list(quotes)


@dataclass(frozen=True)
class FactRow:
    """One fact in the list."""

    path: str
    kind: str
    title: str
    quotes: list[str]
    confirmed: dict[str, Any] | None
    as_of: Any
    review_by: Any
    owner: str | None
    version: int
    says: list[str]
    overdue: bool
    retirable: bool

    @property
    def url(self) -> str:
        return fact_url(self.path)


def fact_row(view: FactView, says: list[str], today: dt.date) -> FactRow:
    review_by = view.review_by
    return FactRow(
        path=view.path,
        kind=view.kind,
        title=title_of(view.data, view.path),
        quotes=quotes_of(view.data),
        confirmed=view.data.get("confirmed"),
        as_of=view.as_of,
        review_by=review_by,
        owner=view.owner,
        version=view.version,
        says=says,
        overdue=bool(review_by and _date(review_by) < today),
        retirable=view.path.endswith("]"),
    )


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _overview(admin: Admin) -> dict[str, Any]:
    """Every fact, grouped, with what the assistant says from it; retired facts apart."""
    repository = admin.knowledge
    live = repository.current()
    if live is None:
        return {"live": None, "groups": [], "retired": []}
    says = fact_preview.sentences_at(live.revision, live.kb)
    today = dt.date.today()
    rows = [fact_row(v, says.get(v.path, []), today) for v in repository.facts()]
    groups = []
    placed: set[str] = set()
    for title, keys in GROUPS:
        members = [r for r in rows if top_key(r.path) in keys]
        placed.update(r.path for r in members)
        groups.append((title, members))
    rest = [r for r in rows if r.path not in placed]
    if rest:
        groups.append(("Other facts", rest))
    retired = list(getattr(live.kb, "retired", []) or [])
    return {"live": live, "groups": groups, "retired": retired}


@guarded(api=False)
async def overview(request: Request) -> HTTPResponse:
    context = await run_sync(_overview, _admin(request))
    return render.page(
        request,
        "knowledge.html",
        done=DONE.get(request.args.get("done", "")),
        addable=ADDABLE,
        **context,
    )


# -- one fact: the form ------------------------------------------------------------------------


def _children(path: str, form: FactForm, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, title) of the facts nested in this one, edited on their own pages."""
    found = []
    for name in form.children:
        value = data.get(name)
        if isinstance(value, list):
            for index, item in enumerate(value):
                label = item.get("id", index) if isinstance(item, dict) else index
                found.append((f"{path}.{name}[{label}]", title_of(item, f"{name} {index + 1}")))
        elif isinstance(value, dict):
            found.append((f"{path}.{name}", f"{name.replace('_', ' ').capitalize()}"))
    return found


@dataclass
class FactPage:
    """Everything the fact form shows; built once, rendered with whatever went wrong."""

    view: FactView
    form: FactForm
    values: dict[str, str]
    sources: list[str]
    document_source: str
    says: list[str]
    organisations: list[tuple[str, str]]
    source_states: dict[str, str]  # name -> current | pending | old


def organisation_choices(kb: Any) -> list[tuple[str, str]]:
    """(id, "Name (id)") of every organisation, for the fields that name one."""
    return [(o.id, f"{o.name} ({o.id})") for o in kb.organisations]


def _fact_page(admin: Admin, path: str, quote: str = "", source: str = "") -> FactPage:
    repository = admin.knowledge
    view = repository.fact(path)
    live = repository.current()
    form = fact_form(view.kind)
    document_source = live.kb.document.file
    values = form_values(form, view.data, document_source)
    if quote:  # from the page diff: the new sentence this fact should cite
        values.update(provenance="quote", quote=quote)
        if source:
            values["source"] = source
    sources = sorted(set(live.sources) | ({source} if source else set()))
    states = {version.name: version.state for version in repository.sources()}
    says = fact_preview.sentences_at(live.revision, live.kb).get(path, [])
    organisations = organisation_choices(live.kb)
    return FactPage(view, form, values, sources, document_source, says, organisations, states)


def _render_fact(
    request: Request,
    page: FactPage,
    *,
    values: dict[str, str] | None = None,
    version: int | None = None,
    errors: dict[str, str] | None = None,
    conflict: dict[str, Any] | None = None,
    note: str = "",
    reason: str = "",
    status: int = 200,
    busy: str | None = None,
) -> HTTPResponse:
    view = page.view
    shown = values if values is not None else page.values
    # a source version typed or linked (a pending one) stays chosen even if not current
    sources = sorted({*page.sources, shown.get("source") or page.document_source})
    resp = render.page(
        request,
        "knowledge_fact.html",
        status=503 if busy else status,
        busy=busy,
        view=view,
        title=title_of(view.data, view.path),
        form=page.form,
        labels=labels(page.form),
        values=shown,
        version=view.version if version is None else version,
        errors=errors or {},
        conflict=conflict,
        sources=sources,
        source_states=page.source_states,
        document_source=page.document_source,
        children=_children(view.path, page.form, view.data),
        says=page.says,
        organisations=page.organisations,
        note=note,
        reason=reason,
        retirable=view.path.endswith("]"),
        fact_url=fact_url,
        confirmed=CONFIRMED,
        done=DONE.get(request.args.get("done", "")),
    )
    if busy:
        resp.headers.update(busy_headers())
    return resp


def _path(request: Request) -> str:
    path = (request.args.get("path") or "").strip()
    if not path:
        raise ValidationError({"path": "name the fact: ?path=..."})
    return path


@guarded(api=False)
async def show_fact(request: Request) -> HTTPResponse:
    args = request.args
    page = await run_sync(
        _fact_page, _admin(request), _path(request), args.get("quote", ""), args.get("source", "")
    )
    return _render_fact(request, page)


def conflict_view(conflict: FactConflict, form: FactForm, document_source: str) -> dict[str, Any]:
    """Both sides of a conflict, input by input, for the side-by-side table."""
    theirs = form_values(form, conflict.current.data, document_source)
    yours = form_values(form, conflict.attempted, document_source)
    rows = [(label, theirs.get(n, ""), yours.get(n, "")) for n, label in labels(form).items()]
    return {
        "current": conflict.current,
        "rows": rows,
        "differs": [label for label, a, b in rows if a != b],
    }


def _version(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@guarded(api=False)
async def save_fact(request: Request) -> HTTPResponse:
    admin, path, posted = _admin(request), _path(request), request.form
    page = await run_sync(_fact_page, admin, path)
    values = posted_values(page.form, posted)
    version = _version(posted.get("version"))
    note = (posted.get("change_note") or "").strip()
    data, errors = data_from_form(
        page.form, values, page.view.data, who(request), dt.date.today(), page.document_source
    )
    kept = {"values": values, "version": version, "note": note}
    if version is None:
        errors[""] = "this form is incomplete (no version): reload the fact and try again"
    if errors:
        return _render_fact(request, page, errors=errors, status=422, **kept)
    try:
        await run_sync(admin.knowledge.edit_fact, path, data, version, who(request), note)
    except KnowledgeValidationError as error:
        return _render_fact(request, page, errors=located(error.errors), status=422, **kept)
    except FactConflict as conflict:
        # Their text stays in the form; the version becomes the stored one, so saving again
        # (after comparing) deliberately replaces it.
        page.view = conflict.current
        shown = conflict_view(conflict, page.form, page.document_source)
        kept["version"] = conflict.current.version
        return _render_fact(request, page, conflict=shown, status=409, **kept)
    except Exception as error:
        if not store_unavailable(error):
            raise
        return _render_fact(request, page, busy=BUSY_MESSAGE, **kept)
    return render.redirect(fact_url(path, done="saved"))


@guarded(api=False)
async def retire_fact(request: Request) -> HTTPResponse:
    admin, path, posted = _admin(request), _path(request), request.form
    reason = (posted.get("reason") or "").strip()
    version = _version(posted.get("version"))
    page = await run_sync(_fact_page, admin, path)
    if not reason:
        errors = {"reason": "say why it is retired (staff read this in the history)"}
        return _render_fact(request, page, errors=errors, reason=reason, status=422)
    try:
        await run_sync(admin.knowledge.retire, path, reason, version, who(request))
    except KnowledgeValidationError as error:
        message = "; ".join(f"{k}: {v}" if k else v for k, v in error.errors.items())
        return _render_fact(request, page, errors={"reason": message}, reason=reason, status=422)
    except FactConflict as conflict:
        page.view = conflict.current
        message = (
            f"Someone else changed this fact meanwhile (now revision {conflict.current.version}). "
            "Nothing was retired: look at it again."
        )
        return _render_fact(request, page, errors={"reason": message}, reason=reason, status=409)
    return render.redirect("/admin/knowledge?done=retired")


# -- adding to a list ----------------------------------------------------------------------------


def _add_context(admin: Admin, list_path: str) -> dict[str, Any]:
    if list_path not in ADDABLE:
        raise ValidationError({"list": f"staff add to {', '.join(ADDABLE)}"})
    live = admin.knowledge.current()
    form = fact_form(ADDABLE[list_path], adding=True)
    programmes = [(p.id, p.name) for p in live.kb.exchange_programmes]
    return {
        "list_path": list_path,
        "kind": ADDABLE[list_path],
        "form": form,
        "sources": sorted(live.sources),
        "source_states": {v.name: v.state for v in admin.knowledge.sources()},
        "document_source": live.kb.document.file,
        "programmes": programmes if list_path == "organisations" else [],
        "organisations": organisation_choices(live.kb),
    }


def _render_add(
    request: Request,
    context: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTTPResponse:
    return render.page(
        request,
        "knowledge_add.html",
        status=status,
        values=values,
        errors=errors or {},
        confirmed=CONFIRMED,
        labels={**labels(context["form"]), "programme": "Partner in an exchange programme"},
        **context,
    )


@guarded(api=False)
async def add_form(request: Request) -> HTTPResponse:
    context = await run_sync(_add_context, _admin(request), request.args.get("list", ""))
    values = form_values(context["form"], {}, context["document_source"])
    values["provenance"] = CONFIRMED
    return _render_add(request, context, values)


def add_and_attach(
    admin: Admin, list_path: str, data: dict[str, Any], programme: str, who: str
) -> str:
    """Add the item; a new organisation may also become a partner of an exchange programme."""
    repository = admin.knowledge
    path = repository.add_item(list_path, data, who)
    if programme:  # a second revision: the repository changes one path per write
        target = f"exchange_programmes[{programme}]"
        for attempt in range(3):  # someone may edit the programme in between: re-read it
            view = repository.fact(target)
            universities = [*view.data.get("universities", []), data["id"]]
            changed = {**view.data, "universities": universities}
            try:
                repository.edit_fact(target, changed, view.version, who, f"partner {path} added")
                break
            except FactConflict:
                if attempt == 2:
                    raise
    return path


@guarded(api=False)
async def add_item(request: Request) -> HTTPResponse:
    admin, posted = _admin(request), request.form
    context = await run_sync(_add_context, admin, posted.get("list", ""))
    form = context["form"]
    values = posted_values(form, posted)
    programme = (posted.get("programme") or "").strip()
    values["programme"] = programme
    if programme and programme not in dict(context["programmes"]):
        return _render_add(request, context, values, {"programme": "no such programme"}, 422)
    data, errors = data_from_form(
        form, values, {}, who(request), dt.date.today(), context["document_source"]
    )
    if errors:
        return _render_add(request, context, values, errors, 422)
    try:
        path = await run_sync(
            add_and_attach, admin, context["list_path"], data, programme, who(request)
        )
    except KnowledgeValidationError as error:
        return _render_add(request, context, values, located(error.errors), 422)
    return render.redirect(fact_url(path, done="added"))


# -- history, diff, rollback ---------------------------------------------------------------------


def _generic_values(data: dict[str, Any]) -> dict[str, str]:
    """A fact of a kind no form describes any more (retired), key by key."""
    return {
        key: "\n".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in data.items()
    }


def revision_changes(
    revisions: list[FactRevision], form: FactForm | None, document_source: str
) -> list[tuple[FactRevision, list[tuple[str, str, str]]]]:
    """Each revision (newest first) with the inputs it changed: (label, before, after)."""
    names = labels(form) if form else {}
    result = []
    previous: dict[str, str] = {}
    for revision in sorted(revisions, key=lambda r: r.revision):
        data = revision.data or {}
        if form is None:
            shown = _generic_values(data)
            names.update({key: key for key in shown if key not in names})
        else:
            shown = form_values(form, data, document_source) if data else {}
            shown.pop("provenance", None)
        changed = [
            (label, previous.get(name, ""), shown.get(name, ""))
            for name, label in names.items()
            if previous.get(name, "") != shown.get(name, "")
        ]
        result.append((revision, changed))
        previous = shown
    return list(reversed(result))


def fact_history(repository: Any, path: str) -> list[FactRevision]:
    """The fact's revisions; NotFoundError for a path that never existed or cannot exist."""
    try:
        return repository.history(path)
    except PathError as error:  # malformed: a 404 like any unknown fact, not a 500
        raise NotFoundError(str(error)) from error


def _history_context(admin: Admin, path: str) -> dict[str, Any]:
    repository = admin.knowledge
    revisions = fact_history(repository, path)
    view = _view_or_none(repository, path)
    live = repository.current()
    retired = next((r for r in live.kb.retired if r.path == path), None)
    kind = view.kind if view else (retired.kind if retired else None)
    try:
        form = fact_form(kind) if kind else None
    except LookupError:
        form = None
    last_data = next((r.data for r in reversed(revisions) if r.data), {})
    return {
        "fact_path": path,
        "view": view,
        "retired": retired,
        # a rollback names the fact's version: the last revision that changed it
        "base_version": view.version if view else max(r.revision for r in revisions),
        "title": title_of((view.data if view else last_data) or {}, path),
        "revisions": revision_changes(revisions, form, live.kb.document.file),
    }


def _view_or_none(repository: Any, path: str) -> FactView | None:
    try:
        return repository.fact(path)
    except NotFoundError:
        return None  # retired: its history stays readable


async def _history_page(
    request: Request, path: str, error: str | None = None, status: int = 200
) -> HTTPResponse:
    context = await run_sync(_history_context, _admin(request), path)
    return render.page(
        request,
        "knowledge_history.html",
        status=status,
        error=error,
        fact_url=fact_url,
        done=DONE.get(request.args.get("done", "")),
        **context,
    )


@guarded(api=False)
async def history(request: Request) -> HTTPResponse:
    return await _history_page(request, _path(request))


@guarded(api=False)
async def rollback(request: Request) -> HTTPResponse:
    admin, path, posted = _admin(request), _path(request), request.form
    to_revision, version = _version(posted.get("to_revision")), _version(posted.get("version"))
    if to_revision is None or version is None:
        return await _history_page(request, path, "Choose a revision to roll back to.", 422)
    try:
        await run_sync(admin.knowledge.rollback, path, to_revision, version, who(request))
    except FactConflict as conflict:
        message = (
            f"Someone else changed this fact meanwhile (now revision {conflict.current.version}). "
            "Nothing was rolled back: look at the history again."
        )
        return await _history_page(request, path, message, 409)
    except KnowledgeValidationError as error:
        message = "That revision cannot be restored: " + "; ".join(
            f"{k}: {v}" if k else v for k, v in error.errors.items()
        )
        return await _history_page(request, path, message, 422)
    return render.redirect(fact_url(path, done="rolled_back"))


ROUTES = [
    (overview, "/knowledge", ["GET"]),
    (show_fact, "/knowledge/fact", ["GET"]),
    (save_fact, "/knowledge/fact", ["POST"]),
    (retire_fact, "/knowledge/retire", ["POST"]),
    (add_form, "/knowledge/add", ["GET"]),
    (add_item, "/knowledge/add", ["POST"]),
    (history, "/knowledge/history", ["GET"]),
    (rollback, "/knowledge/rollback", ["POST"]),
]
