"""The staff admin under /admin: FAQ answers, the unanswered-question inbox, handoffs.

Modules, one per concern:
    context.py  Admin: the store classes of one database, and the steps that combine them
    auth.py     signed session cookie, CSRF, the `guarded` decorator every route uses
    login.py    login/logout screens
    entries.py  FAQ list/add/edit/publish/history/rollback; the home (due.py: due for review)
    knowledge.py  the knowledge base's facts: list, edit, add, retire, history, rollback
    inbox.py    inbox and handoff screens (grouping in grouping.py)
    analytics.py  how the assistant is doing: page, CSV and /admin/api/analytics
    preview.py  "what would the bot answer now" (Rasa REST channel)
    page_diff.py  a new version of the source page: upload, resolve each fact, accept; coverage
    review.py   conversations that fell back, got a 👎 or a handoff; deletion by reference
    api.py      the same operations as JSON under /admin/api/ (facts_api.py: /admin/api/facts)
    render.py   Jinja2 templates (templates/admin/), CSP, safe markdown
"""

from __future__ import annotations

import logging

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.staff_db.bootstrap import prepare_engine
from bot.staff_db.db import make_engine
from bot.web.admin import (
    analytics,
    api,
    entries,
    facts_api,
    inbox,
    knowledge,
    login,
    page_diff,
    preview,
    review,
)
from bot.web.admin.analytics_cache import ReportCache
from bot.web.admin.analytics_refresh import AggregateRefresher
from bot.web.admin.auth import Sessions
from bot.web.admin.busy import unless_busy
from bot.web.admin.context import Admin, AdminSettings
from bot.web.admin.grouping import Grouper, process_grouper

__all__ = ["AdminSettings", "register_admin"]
log = logging.getLogger(__name__)


def register_admin(
    app: Sanic,
    engine: Engine | None = None,
    settings: AdminSettings | None = None,
    grouper: Grouper | None = None,
) -> None:
    """Add /admin to `app`. The database is migrated (and seeded when empty) before serving."""
    settings = settings or AdminSettings.from_env()
    engine = engine or make_engine()
    admin = Admin(engine, settings)
    app.ctx.admin = admin
    app.ctx.admin_sessions = Sessions(admin)
    app.ctx.admin_grouper = grouper or process_grouper()
    app.ctx.analytics_refresher = AggregateRefresher(
        engine, settings.tracker_url, settings.analytics_refresh_seconds
    )
    app.ctx.analytics_cache = ReportCache(settings.analytics_cache_seconds)

    blueprint = Blueprint(f"{app.name}_admin", url_prefix="/admin")
    for module in (
        login,
        entries,
        knowledge,
        inbox,
        preview,
        page_diff,
        review,
        analytics,
        api,
        facts_api,
    ):
        for handler, uri, methods in module.ROUTES:
            name = f"{module.__name__.rsplit('.', 1)[-1]}_{handler.__name__}_{methods[0].lower()}"
            if module is not login and handler.__name__ != "login":  # login: bot/web/admin/login.py
                handler = unless_busy(handler, api=module is api or uri.startswith("/api/"))
            blueprint.add_route(handler, uri, methods=methods, name=name, strict_slashes=False)

    @blueprint.middleware("response")
    async def private(request: Request, resp: HTTPResponse) -> None:
        resp.headers.setdefault("Cache-Control", "no-store")  # staff data: never cached

    app.blueprint(blueprint)

    @app.listener("before_server_start")
    async def prepare_database(app: Sanic, _loop: object) -> None:
        log.info(prepare_engine(admin.engine, admin.settings.seed_file))
        app.ctx.admin_sessions.key  # noqa: B018 - make (or read) the session secret now
