"""How the assistant is doing: /admin/analytics (page), /admin/analytics.csv, /admin/api/analytics.

All three take the same filters (analytics_query.py) and show the same Report
(bot/analytics/report.py `build_report`, read from the aggregate table), refreshed from the
tracker store first (analytics_refresh.py) and kept a few seconds (analytics_cache.py). The
report is built and drawn in a worker thread, off the event loop. A bad filter is a 422: on
the page, the form again with what was typed and the error beside the field; in the API,
{"errors": {param: msg}}.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.analytics.aggregate import watermark
from bot.analytics.report import build_report
from bot.i18n.context import SUPPORTED_LANGUAGES
from bot.staff_db.validation import ValidationError
from bot.web.admin import render
from bot.web.admin.analytics_query import RANGE, AnalyticsQuery, parse_query
from bot.web.admin.analytics_view import Dashboard, csv_text, dashboard
from bot.web.admin.auth import guarded
from bot.web.admin.context import Admin, run_sync
from bot.web.admin.preview import PREVIEW_LANGUAGES

KNOWN_CHANNELS = ("messenger", "rest", "socketio")  # bot/rasa_server/channels/; more as seen
FORM_FIELDS = ("period", "start", "end", "channel", "language")


def load_report(request: Request, query: AnalyticsQuery) -> tuple[dict[str, Any], str, str]:
    """Blocking (call through run_sync): the aggregate brought up to date, then the report for
    `query` (built, or the same one built moments ago); with a note for staff and "as of"."""
    note = request.app.ctx.analytics_refresher()
    admin: Admin = request.app.ctx.admin
    key = (query.start, query.end, query.channel, query.language, watermark(admin.engine))

    def build() -> dict[str, Any]:
        args = (query.start, query.end, query.channel, query.language)
        return build_report(admin.engine, *args).to_dict()

    report, built_at = request.app.ctx.analytics_cache.get(key, build)
    return report, note, built_at.strftime("%Y-%m-%d %H:%M")


def load_dashboard(request: Request, query: AnalyticsQuery) -> Dashboard:
    """Blocking: the report, and its tables and charts."""
    report, note, as_of = load_report(request, query)
    view = dashboard(report, query)
    view.note, view.as_of = note, as_of
    return view


def _typed(request: Request) -> dict[str, str]:
    return {name: (request.args.get(name) or "").strip() for name in FORM_FIELDS}


def _form(
    request: Request, query: AnalyticsQuery | None, seen: Sequence[str] = ()
) -> dict[str, Any]:
    """The filter form: what was asked (or typed, when it was refused) and the choices."""
    values = _typed(request)
    if query is not None:
        values.update(
            period=query.period,
            start=query.start.isoformat(),
            end=query.end.isoformat(),
            channel=query.channel or "",
            language=query.language or "",
        )
    typed = {values["channel"]} if values["channel"] else set()
    channels = sorted({*KNOWN_CHANNELS, *seen} | typed)
    return {
        "values": values,
        "periods": [("7d", "Last 7 days"), ("30d", "Last 30 days"), (RANGE, "Date range")],
        "channels": [(name, name) for name in channels],
        "languages": [(code, PREVIEW_LANGUAGES[code]) for code in SUPPORTED_LANGUAGES],
    }


@guarded(api=False)
async def show(request: Request) -> HTTPResponse:
    try:
        query = parse_query(request.args)
    except ValidationError as error:
        return render.page(
            request, "analytics.html", 422, errors=error.errors, view=None, **_form(request, None)
        )
    view = await run_sync(load_dashboard, request, query)
    form = _form(request, query, view.report.get("channels", []))
    return render.page(request, "analytics.html", errors={}, view=view, **form)


@guarded(api=False)
async def export_csv(request: Request) -> HTTPResponse:
    try:
        query = parse_query(request.args)
    except ValidationError as error:
        message = "; ".join(f"{name}: {text}" for name, text in error.errors.items())
        return render.error_page(request, request.ctx.session, 422, message)
    view = await run_sync(load_dashboard, request, query)
    name = f"beu-analytics-{query.start}-{query.end}.csv"
    return response.text(
        csv_text(view),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@guarded(api=True)
async def api_report(request: Request) -> HTTPResponse:
    query = parse_query(request.args)  # ValidationError: 422 {"errors"} (auth.guarded)
    report, note, as_of = await run_sync(load_report, request, query)
    return response.json({"period": query.period, **report, "as_of": as_of, "note": note or None})


PAGE_ROUTES = [
    (show, "/analytics", ["GET"]),
    (export_csv, "/analytics.csv", ["GET"]),
]
API_ROUTES = [(api_report, "/api/analytics", ["GET"])]
ROUTES = PAGE_ROUTES + API_ROUTES
