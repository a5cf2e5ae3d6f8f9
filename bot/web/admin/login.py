"""The login and logout screens (the JSON login is in api.py; both use auth.py)."""

from __future__ import annotations

import secrets

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import OperationalError

from bot.staff_db.users import RateLimited
from bot.web.admin import render
from bot.web.admin.auth import (
    COOKIE,
    COOKIE_PATH,
    DATABASE_BUSY_MESSAGE,
    LOGIN_COOKIE,
    LOGIN_PAGE,
    clear_cookie,
    csrf_ok,
    current_session,
    guarded,
    log_database_busy,
    rate_limited_message,
    set_cookie,
    start_session,
    verify_password,
)
from bot.web.admin.busy import busy_headers
from bot.web.admin.context import run_sync

LOGIN_FORM_SECONDS = 3600
HOME = "/admin/entries"


def safe_next(target: str | None) -> str:
    """Only a path inside the admin: never another site (`//evil`, `/\\evil`, `https:`)."""
    if (
        target
        and target.startswith("/admin")
        and not target.startswith(LOGIN_PAGE)
        and "\\" not in target
        and "//" not in target
    ):
        return target
    return HOME


def _login_page(
    request: Request,
    token: str,
    status: int = 200,
    error: str | None = None,
    username: str = "",
    next_url: str = "",
) -> HTTPResponse:
    resp = render.page(
        request,
        "login.html",
        status=status,
        login_token=token,
        error=error,
        username=username,
        next_url=next_url,
        logged_out=request.args.get("done") == "logged_out",
    )
    set_cookie(request, resp, LOGIN_COOKIE, token, LOGIN_FORM_SECONDS, LOGIN_PAGE)
    return resp


async def login_form(request: Request) -> HTTPResponse:
    try:
        session = await current_session(request)
    except OperationalError as error:  # the form needs no database: show it anyway
        log_database_busy(error)
        session = None
    if session is not None:
        return render.redirect(safe_next(request.args.get("next")))
    token = secrets.token_urlsafe(32)
    return _login_page(request, token, next_url=safe_next(request.args.get("next")))


async def login(request: Request) -> HTTPResponse:
    form = request.form
    username = (form.get("username") or "").strip()
    password = form.get("password") or ""
    next_url = safe_next(form.get("next"))
    token = secrets.token_urlsafe(32)
    if not csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf_token")):
        return _login_page(request, token, 403, render.CSRF_MESSAGE, username, next_url)
    if not username or not password:
        message = "Enter your username and password."
        return _login_page(request, token, 400, message, username, next_url)
    try:
        session = await verify_password(request, username, password)
    except RateLimited as error:
        resp = _login_page(request, token, 429, rate_limited_message(error), username, next_url)
        resp.headers["Retry-After"] = str(error.retry_after_seconds)
        return resp
    except OperationalError as error:
        log_database_busy(error)
        resp = _login_page(request, token, 503, DATABASE_BUSY_MESSAGE, username, next_url)
        resp.headers.update(busy_headers())
        return resp
    if session is None:
        message = "Wrong username or password."
        return _login_page(request, token, 401, message, username, next_url)
    resp = render.redirect(next_url)
    start_session(request, resp, session)
    clear_cookie(request, resp, LOGIN_COOKIE, LOGIN_PAGE)
    return resp


@guarded(api=False)
async def logout(request: Request) -> HTTPResponse:
    await run_sync(request.app.ctx.admin_sessions.end_all, request.ctx.session)
    resp = render.redirect(f"{LOGIN_PAGE}?done=logged_out")
    clear_cookie(request, resp, COOKIE, COOKIE_PATH)
    return resp


ROUTES = [
    (login_form, "/login", ["GET"]),
    (login, "/login", ["POST"]),
    (logout, "/logout", ["POST"]),
]
