"""The FAQ screens: list and search, add, edit (with conflict handling), publish, history, rollback.

Thin adapters: each handler reads the form, calls Admin (bot.web.admin.context), and renders the
result or the field errors next to their fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.staff_db.db import store_unavailable
from bot.staff_db.faq import CONTENT_FIELDS, ConflictError, FaqEntry, Revision
from bot.staff_db.inbox import clean_text
from bot.staff_db.validation import STATES, FaqDraft, ValidationError
from bot.web.admin import render
from bot.web.admin.auth import guarded, who
from bot.web.admin.busy import BUSY_MESSAGE, busy_headers
from bot.web.admin.context import Admin, run_sync
from bot.web.admin.due import DUE_WITHIN_DAYS, due_for_review
from bot.web.admin.forms import (
    DEFAULT_OWNER,
    LANGUAGE_NAMES,
    draft_from_form,
    draft_from_questions,
    form_values,
    parse_ids,
    parse_version,
    version_field,
    version_values,
)

MAX_PREFILL = 500  # a prefilled question (from a URL) is cut to this

DONE = {
    "created": "Saved as a draft. The assistant does not use it until you publish it.",
    "published": "Published: the assistant answers with this entry from now on.",
    "unpublished": "Unpublished: the assistant no longer uses this entry.",
    "saved": "Saved.",
    "rolled_back": "Rolled back: this is now the newest version.",
    "unchanged": "Nothing changed, so nothing was saved.",
}
FIELD_LABELS = {
    "question": "Question",
    "phrasings": "Other phrasings",
    "answer": "Answer",
    "tags": "Tags",
    "fact_ref": "Knowledge-base fact",
    "source_url": "Source link",
    "owner": "Owner",
    "as_of": "Checked on",
    "review_by": "Review by",
    "state": "State",
    **{
        version_field(language, name): f"{language_name}: {label.lower()}"
        for language, language_name in LANGUAGE_NAMES.items()
        for name, label in (
            ("question", "Question"),
            ("phrasings", "Other phrasings"),
            ("answer", "Answer"),
        )
    },
}


def _admin(request: Request) -> Admin:
    return request.app.ctx.admin


def _done(request: Request) -> str | None:
    return DONE.get(request.args.get("done", ""))


def _entry_url(entry_id: int, done: str | None = None) -> str:
    return f"/admin/entries/{entry_id}" + (f"?done={done}" if done else "")


@guarded(api=False)
async def index(request: Request) -> HTTPResponse:
    return render.redirect("/admin/entries")


@guarded(api=False)
async def list_entries(request: Request) -> HTTPResponse:
    query = request.args.get("q", "").strip()
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    admin = _admin(request)
    entries = await run_sync(admin.faq.list_entries, query or None, state or None)
    # the admin's home: what is due for review comes first (not on a search's results)
    due = [] if query or state else await run_sync(due_for_review, admin, dt.date.today())
    return render.page(
        request,
        "entries.html",
        entries=entries,
        query=query,
        state=state,
        states=STATES,
        due=due,
        due_days=DUE_WITHIN_DAYS,
    )


# -- the entry form --------------------------------------------------------------------------


def _form_page(
    request: Request,
    *,
    entry: FaqEntry | None,
    values: dict[str, str],
    version: int | None,
    errors: dict[str, str] | None = None,
    conflict: ConflictError | None = None,
    inbox_ids: list[int] | None = None,
    inbox_texts: list[str] | None = None,
    pending: int = 0,
    status: int = 200,
    busy: str | None = None,
) -> HTTPResponse:
    page = render.page(
        request,
        "entry_form.html",
        status=503 if busy else status,
        busy=busy,
        entry=entry,
        values=values,
        version=version,
        errors=errors or {},
        conflict=_conflict_view(conflict) if conflict else None,
        inbox_ids=inbox_ids or [],
        inbox_texts=inbox_texts or [],
        pending=pending,
        labels=FIELD_LABELS,
        language_names=LANGUAGE_NAMES,
        done=_done(request),
    )
    if busy:
        page.headers.update(busy_headers())
    return page


def _conflict_view(conflict: ConflictError) -> dict[str, Any]:
    """Both sides of a conflict, field by field, for the side-by-side table."""
    theirs = form_values(conflict.current)
    yours = form_values(conflict.attempted)
    rows = [(FIELD_LABELS[name], theirs[name], yours[name]) for name in theirs]
    return {
        "current": conflict.current,
        "expected_version": conflict.expected_version,
        "rows": rows,
        "differs": [label for label, a, b in rows if a != b],
    }


def _open_questions(admin: Admin, ids: list[int]) -> tuple[list[int], list[str]]:
    """The ids among `ids` still open in the inbox, and their texts (newest first)."""
    if not ids:
        return [], []
    wanted = set(ids)
    found = [q for q in admin.inbox.list_unanswered("open") if q.id in wanted]
    return [q.id for q in found], [q.text for q in found]


@guarded(api=False)
async def new_entry(request: Request) -> HTTPResponse:
    """The empty form, or pre-filled: with an inbox group's questions (`?ids=`), or with a
    student's question from a reviewed conversation (`?question=`, bot/web/admin/review.py)."""
    admin = _admin(request)
    try:
        ids = parse_ids(request.args.getlist("ids") or [])
    except ValidationError:
        ids = []
    ids, texts = await run_sync(_open_questions, admin, ids)
    question = clean_text(request.args.get("question") or "", MAX_PREFILL)
    if texts:
        draft = draft_from_questions(texts)
    elif question:
        draft = draft_from_questions([question])
    else:
        draft = FaqDraft("", "", owner=DEFAULT_OWNER)
    return _form_page(
        request,
        entry=None,
        values=form_values(draft),
        version=None,
        inbox_ids=ids,
        inbox_texts=texts,
    )


@guarded(api=False)
async def create_entry(request: Request) -> HTTPResponse:
    admin = _admin(request)
    form = request.form
    publish = form.get("action") == "publish"
    draft = draft_from_form(form, state="published" if publish else "draft")
    try:
        ids = parse_ids(form.getlist("inbox_ids") or [])
    except ValidationError:
        ids = []
    try:
        entry = await run_sync(admin.create_entry, draft, who(request), ids)
    except ValidationError as error:
        ids, texts = await run_sync(_open_questions, admin, ids)
        return _form_page(
            request,
            entry=None,
            values=form_values(draft),
            version=None,
            errors=error.errors,
            inbox_ids=ids,
            inbox_texts=texts,
            status=422,
        )
    except Exception as error:
        if not store_unavailable(error):
            raise
        # the locked database kept nothing: the form comes back as it was typed
        return _form_page(
            request,
            entry=None,
            values=form_values(draft),
            version=None,
            inbox_ids=ids,
            busy=BUSY_MESSAGE,
        )
    return render.redirect(_entry_url(entry.id, "published" if publish else "created"))


@guarded(api=False)
async def edit_entry(request: Request, entry_id: int) -> HTTPResponse:
    admin = _admin(request)
    entry = await run_sync(admin.faq.get, entry_id)
    pending = await run_sync(admin.pending_inbox_ids, entry_id)
    return _form_page(
        request, entry=entry, values=form_values(entry), version=entry.version, pending=len(pending)
    )


@guarded(api=False)
async def save_entry(request: Request, entry_id: int) -> HTTPResponse:
    admin = _admin(request)
    form = request.form
    draft = draft_from_form(form)
    entry = await run_sync(admin.faq.get, entry_id)
    try:
        version = parse_version(form.get("version"))
        saved = await run_sync(admin.update_entry, entry_id, draft, version, who(request))
        done = "saved" if saved.version != version else "unchanged"
        if form.get("action") == "publish" and saved.state != "published":
            saved = await run_sync(admin.publish, entry_id, who(request), saved.version)
            done = "published"
    except ValidationError as error:
        return _form_page(
            request,
            entry=entry,
            values=form_values(draft),
            version=_int_or_none(form.get("version")),
            errors=error.errors,
            status=422,
        )
    except ConflictError as conflict:
        # Their text stays in the form; the version is now the stored one, so saving again
        # (after comparing) deliberately replaces it.
        return _form_page(
            request,
            entry=conflict.current,
            values=form_values(draft),
            version=conflict.current.version,
            conflict=conflict,
            status=409,
        )
    except Exception as error:
        if not store_unavailable(error):
            raise
        return _form_page(
            request,
            entry=entry,
            values=form_values(draft),
            version=_int_or_none(form.get("version")),
            busy=BUSY_MESSAGE,
        )
    return render.redirect(_entry_url(entry_id, done))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def _state_change(request: Request, entry_id: int, publish: bool) -> HTTPResponse:
    admin = _admin(request)
    change = admin.publish if publish else admin.unpublish
    try:
        version = parse_version(request.form.get("version"))
        await run_sync(change, entry_id, who(request), version)
    except ConflictError as conflict:
        current = conflict.current
        message = (
            f"Someone else changed this entry (it is now at version {current.version}, saved by "
            f"{current.updated_by} at {render.when(current.updated_at)}). Nothing was "
            f"{'published' if publish else 'unpublished'}: check the entry below and try again."
        )
        return _form_page(
            request,
            entry=current,
            values=form_values(current),
            version=current.version,
            errors={"state": message},
            status=409,
        )
    except ValidationError as error:
        entry = await run_sync(admin.faq.get, entry_id)
        return _form_page(
            request,
            entry=entry,
            values=form_values(entry),
            version=entry.version,
            errors=error.errors,
            status=422,
        )
    return render.redirect(_entry_url(entry_id, "published" if publish else "unpublished"))


@guarded(api=False)
async def publish_entry(request: Request, entry_id: int) -> HTTPResponse:
    return await _state_change(request, entry_id, True)


@guarded(api=False)
async def unpublish_entry(request: Request, entry_id: int) -> HTTPResponse:
    return await _state_change(request, entry_id, False)


# -- history ---------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def _flat(snapshot: dict[str, Any]) -> dict[str, str]:
    """A revision's fields as shown, each language's version as its own three fields."""
    fields = {
        name: _shown(snapshot.get(name))
        for name in (*CONTENT_FIELDS, "state")
        if name != "translations"
    }
    return {**fields, **version_values(snapshot.get("translations") or {})}


def changes(revisions: list[Revision]) -> list[tuple[Revision, list[tuple[str, str, str]]]]:
    """Each revision (newest first) with the fields it changed: (label, before, after)."""
    result = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        snapshot = revision.snapshot
        changed = []
        flat = _flat(snapshot)
        for name, after in flat.items():
            before = previous.get(name, "")
            if before != after:
                changed.append((FIELD_LABELS[name], before, after))
        result.append((revision, changed))
        previous = flat
    return list(reversed(result))


async def _history_page(
    request: Request, entry_id: int, error: str | None = None, status: int = 200
) -> HTTPResponse:
    admin = _admin(request)
    entry = await run_sync(admin.faq.get, entry_id)
    revisions = await run_sync(admin.faq.history, entry_id)
    return render.page(
        request,
        "history.html",
        status=status,
        entry=entry,
        revisions=changes(revisions),
        error=error,
        done=_done(request),
    )


@guarded(api=False)
async def history(request: Request, entry_id: int) -> HTTPResponse:
    return await _history_page(request, entry_id)


@guarded(api=False)
async def rollback(request: Request, entry_id: int) -> HTTPResponse:
    admin = _admin(request)
    form = request.form
    try:
        to_version = parse_version(form.get("to_version"), "to_version")
        version = parse_version(form.get("version"))
        await run_sync(admin.rollback, entry_id, to_version, version, who(request))
    except ConflictError as conflict:
        current = conflict.current
        message = (
            f"Someone else changed this entry meanwhile (now version {current.version}, by "
            f"{current.updated_by}). Nothing was rolled back: look at the history again."
        )
        return await _history_page(request, entry_id, message, 409)
    except ValidationError as error:
        message = "That version cannot be restored: " + "; ".join(
            f"{FIELD_LABELS.get(name, name)}: {text}" for name, text in error.errors.items()
        )
        return await _history_page(request, entry_id, message, 422)
    return render.redirect(_entry_url(entry_id, "rolled_back"))


ROUTES = [
    (index, "/", ["GET"]),
    (list_entries, "/entries", ["GET"]),
    (new_entry, "/entries/new", ["GET"]),
    (create_entry, "/entries/new", ["POST"]),
    (edit_entry, "/entries/<entry_id:int>", ["GET"]),
    (save_entry, "/entries/<entry_id:int>", ["POST"]),
    (publish_entry, "/entries/<entry_id:int>/publish", ["POST"]),
    (unpublish_entry, "/entries/<entry_id:int>/unpublish", ["POST"]),
    (history, "/entries/<entry_id:int>/history", ["GET"]),
    (rollback, "/entries/<entry_id:int>/rollback", ["POST"]),
]
