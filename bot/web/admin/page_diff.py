"""The admin screens for a new version of the source page, and the coverage report.

    /admin/knowledge/page            upload a file or paste the text -> a pending version
    /admin/knowledge/page/review     the report: each changed or vanished fact, old and new side
                                     by side, with its resolutions (replace the quote, keep it
                                     confirmed by staff, retire it, or the fact editor)
    /admin/knowledge/page/accept     the pending version becomes current, once nothing is open
    /admin/knowledge/coverage        which factual sentences of the current page no fact cites

Thin adapters over bot.staff_db.page_review; the diff itself is bot.kb.page_diff.
"""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher
from typing import Any, Dict, List, Tuple
from urllib.parse import urlencode

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.kb.page_text import MAX_PAGE_BYTES, PageTextError, decode_page
from bot.kb.provenance import iter_cited, uncited_sentences
from bot.staff_db.knowledge import FactConflict, KnowledgeValidationError
from bot.staff_db.page_review import FIGURE_FIELDS, PageReview, Review, Unresolved, figures
from bot.web.admin import render
from bot.web.admin.auth import guarded, who
from bot.web.admin.context import run_sync

PAGE_URL = "/admin/knowledge/page"
REVIEW_URL = "/admin/knowledge/page/review"
FACT_EDITOR_URL = "/admin/knowledge/fact"  # kbadmin's fact editor
DONE = {
    "uploaded": "The new version is saved as pending: resolve every fact below, then accept it.",
    "updated": "The fact now quotes the new version (the assistant says it from now on).",
    "confirmed": "The fact is kept, confirmed by you.",
    "retired": "The fact is retired: the assistant no longer states it.",
    "accepted": "The new version is now the current source page.",
    "discarded": "The new version was discarded; nothing in the knowledge base changed.",
}
ACTION_LABELS = {
    "updated": "Updated to quote the new version",
    "confirmed": "Kept, confirmed by staff",
    "retired": "Retired",
}


def _review(request: Request) -> PageReview:
    """One PageReview per app (it holds only the engine)."""
    ctx = request.app.ctx
    if getattr(ctx, "page_review", None) is None:  # sharing the fact screens' repository
        ctx.page_review = PageReview(ctx.admin.engine, getattr(ctx.admin, "knowledge", None))
    return ctx.page_review


def marks(old: str, new: str) -> Tuple[List[Tuple[str, bool]], List[Tuple[str, bool]]]:
    """The two sentences as runs of words, each marked True where it differs from the other:
    what staff's eyes need in a long sentence whose only change is a figure."""
    a, b = old.split(" "), new.split(" ")
    left: List[Tuple[str, bool]] = []
    right: List[Tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append((" ".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append((" ".join(b[j1:j2]), tag != "equal"))
    return left, right


def editor_link(path: str, quote: str | None = None, source: str | None = None) -> str:
    """The fact editor (kbadmin) on `path`, pre-filled with a quote of the new version."""
    query = {"path": path, **({"quote": quote} if quote else {})}
    if quote and source:
        query["source"] = source
    return f"{FACT_EDITOR_URL}?{urlencode(query)}"


def _states(data: Dict[str, Any]) -> List[Tuple[str, str]]:
    """What the fact says now, field by field (its quote and nested facts left out)."""
    shown = []
    for name, value in data.items():
        if name in ("quote", "source", "confirmed") or isinstance(value, dict):
            continue
        if isinstance(value, list):
            if any(isinstance(v, dict) for v in value):
                continue
            value = ", ".join(str(v) for v in value)
        if value in (None, ""):
            continue
        shown.append((name.replace("_", " "), str(value)))
    return shown


def _items(review: Review) -> List[Dict[str, Any]]:
    """The flagged facts as the template shows them."""
    items = []
    for number, change in enumerate(review.diff.flagged, start=1):
        view = review.facts.get(change.path)
        data = view.data if view else {}
        quotes = []
        for quote in change.quotes:
            left, right = marks(quote.old_sentence, quote.new_sentence or "")
            quotes.append({"change": quote, "old": left, "new": right})
        suggested = next((q.suggested_quote for q in change.quotes if q.suggested_quote), None)
        resolution = review.resolutions.get(change.path)
        new_sentence = next((q.new_sentence for q in change.quotes if q.new_sentence), None)
        items.append(
            {
                "number": number,
                "path": change.path,
                "kind": change.kind,
                "vanished": change.vanished,
                "quotes": quotes,
                "version": view.version if view else None,
                "states": _states(data),
                "figures": figures(data),
                "suggested": suggested or new_sentence or "",
                "editor": editor_link(change.path, suggested or new_sentence, review.name),
                "resolution": resolution if review.holds(change.path) else None,
                "stale": resolution is not None and not review.holds(change.path),
            }
        )
    return items


async def _review_page(
    request: Request,
    source: str,
    *,
    errors: Dict[str, Dict[str, str]] | None = None,
    values: Dict[str, Dict[str, str]] | None = None,
    message: str | None = None,
    status: int = 200,
) -> HTTPResponse:
    review = await run_sync(_review(request).review, source)
    return render.page(
        request,
        "page_review.html",
        status=status,
        review=review,
        items=_items(review),
        errors=errors or {},
        values=values or {},
        message=message,
        action_labels=ACTION_LABELS,
        figure_fields=FIGURE_FIELDS,
        today=dt.date.today().isoformat(),
        done=DONE.get(request.args.get("done", "")),
    )


def _review_url(source: str, done: str | None = None, anchor: str = "") -> str:
    query = {"source": source, **({"done": done} if done else {})}
    return f"{REVIEW_URL}?{urlencode(query)}" + (f"#{anchor}" if anchor else "")


# -- upload ------------------------------------------------------------------------------------


async def _upload_page(
    request: Request,
    *,
    error: str | None = None,
    text: str = "",
    source: str = "",
    status: int = 200,
) -> HTTPResponse:
    review = _review(request)
    names = await run_sync(review.current_pages)
    pending = await run_sync(review.pending)
    return render.page(
        request,
        "page_upload.html",
        status=status,
        names=names,
        pending=pending,
        error=error,
        text=text,
        source=source or (names[0] if names else ""),
        max_kb=MAX_PAGE_BYTES // 1000,
        review_url=_review_url,
        done=DONE.get(request.args.get("done", "")),
    )


@guarded(api=False)
async def upload_form(request: Request) -> HTTPResponse:
    return await _upload_page(request)


@guarded(api=False)
async def upload(request: Request) -> HTTPResponse:
    form = request.form or {}
    pasted = form.get("text") or ""
    source = form.get("source") or ""
    upload_file = request.files.get("file") if request.files else None
    try:
        if upload_file is not None and upload_file.body:
            text = decode_page(upload_file.body)
        elif pasted.strip():
            text = decode_page(pasted.encode("utf-8"))
        else:
            raise PageTextError("Choose a file, or paste the text of the new version.")
        version = await run_sync(_review(request).upload, source, text, who(request))
    except PageTextError as error:
        return await _upload_page(request, error=str(error), text=pasted, source=source, status=422)
    except KnowledgeValidationError as error:
        message = "; ".join(error.errors.values())
        return await _upload_page(request, error=message, text=pasted, source=source, status=422)
    return render.redirect(_review_url(version.name, "uploaded"))


# -- review and resolutions ------------------------------------------------------------------


@guarded(api=False)
async def review_page(request: Request) -> HTTPResponse:
    return await _review_page(request, request.args.get("source", ""))


def _int(value: Any, field_name: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise KnowledgeValidationError({field_name: "must be a whole number"}) from None


@guarded(api=False)
async def resolve(request: Request) -> HTTPResponse:
    form = request.form
    source = form.get("source", "")
    path = form.get("path", "")
    action = form.get("action", "")
    typed = {name: form.get(name, "") for name in form if name != "csrf_token"}
    review = _review(request)
    try:
        version = _int(form.get("version"), "version")
        if action == "update":
            new_figures = {
                name: _int(form.get(name), name) for name in FIGURE_FIELDS if name in form
            }
            await run_sync(
                review.update,
                source,
                path,
                form.get("quote", ""),
                new_figures,
                version,
                who(request),
                form.get("note", ""),
            )
            done = "updated"
        elif action == "confirm":
            await run_sync(
                review.confirm, source, path, form.get("note", ""), version, who(request)
            )
            done = "confirmed"
        elif action == "retire":
            await run_sync(
                review.retire, source, path, form.get("reason", ""), version, who(request)
            )
            done = "retired"
        else:
            raise KnowledgeValidationError({"": f"unknown resolution {action!r}"})
    except KnowledgeValidationError as error:
        return await _review_page(
            request,
            source,
            errors={path: dict(error.errors)},
            values={path: typed},
            message="Nothing was saved: see the problem next to the field.",
            status=422,
        )
    except FactConflict as conflict:
        current = conflict.current
        return await _review_page(
            request,
            source,
            errors={
                path: {
                    "": f"Someone else changed this fact meanwhile (now version "
                    f"{current.version}). Nothing was saved: check it and try again."
                }
            },
            values={path: typed},
            status=409,
        )
    return render.redirect(_review_url(source, done))


@guarded(api=False)
async def accept(request: Request) -> HTTPResponse:
    source = request.form.get("source", "")
    try:
        await run_sync(_review(request).accept, source, who(request))
    except Unresolved as error:
        message = (
            f"The new version cannot become current yet: {len(error.items)} fact(s) still cite "
            "sentences it changes or removes. Resolve each of them first."
        )
        return await _review_page(request, source, message=message, status=409)
    except KnowledgeValidationError as error:
        message = "The new version cannot become current: " + "; ".join(
            f"{name}: {text}" if name else text for name, text in error.errors.items()
        )
        return await _review_page(request, source, message=message, status=422)
    return render.redirect(f"{PAGE_URL}?done=accepted")


@guarded(api=False)
async def discard(request: Request) -> HTTPResponse:
    source = request.form.get("source", "")
    try:
        await run_sync(_review(request).discard, source)
    except KnowledgeValidationError as error:
        message = "The new version was not discarded: " + "; ".join(error.errors.values())
        return await _review_page(request, source, message=message, status=409)
    return render.redirect(f"{PAGE_URL}?done=discarded")


# -- coverage --------------------------------------------------------------------------------


def _coverage(repository: Any) -> Dict[str, Any]:
    live = repository.current()
    if live is None:
        return {"sources": [], "facts": 0, "confirmed": []}
    facts = list(iter_cited(live.kb))
    cited = {live.kb.document.file} | {fact.source for _, fact in facts if fact.source}
    sources = [
        {"name": name, "uncited": uncited_sentences(live.kb, live.sources[name], name)}
        for name in sorted(cited & set(live.sources))
    ]
    # Staff's word instead of (or next to) a quote: the confirmation's who, when and why.
    confirmed = [(path, fact.confirmed) for path, fact in facts if fact.confirmed is not None]
    return {
        "revision": live.revision,
        "sources": sources,
        "facts": len(facts),
        "confirmed": confirmed,
        "non_factual": live.kb.non_factual,
    }


@guarded(api=False)
async def coverage(request: Request) -> HTTPResponse:
    report = await run_sync(_coverage, _review(request).repository)
    return render.page(request, "coverage.html", report=report)


ROUTES = [
    (upload_form, "/knowledge/page", ["GET"]),
    (upload, "/knowledge/page", ["POST"]),
    (review_page, "/knowledge/page/review", ["GET"]),
    (resolve, "/knowledge/page/resolve", ["POST"]),
    (accept, "/knowledge/page/accept", ["POST"]),
    (discard, "/knowledge/page/discard", ["POST"]),
    (coverage, "/knowledge/coverage", ["GET"]),
]
