"""Staff sessions: a signed cookie, a CSRF token inside it, and the guard every admin route uses.

The cookie is `payload.signature`, both base64url: the payload is JSON with the user id and
name, issue and expiry times, the session's CSRF token and a fingerprint of the password hash;
the signature is HMAC-SHA256 over the payload with the admin secret (ADMIN_SECRET_KEY, else a
random key made once and kept in the database's `settings`). Nothing about a session is stored
server-side, yet it ends when:
  - it expires (8 hours after login),
  - the user logs out (sessions issued before the logout are refused: `admin_logout:<id>`),
  - the account is disabled or its password changed (the fingerprint no longer matches).

CSRF: every POST form carries the token in a hidden `csrf_token` field, the JSON API sends it
in the `X-CSRF-Token` header; a missing or wrong token is 403 and nothing is written. The cookie
is also SameSite=Strict, so other sites' pages cannot even send it. The login form, before any
session exists, is protected the same way by a short-lived random cookie it must echo back.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.staff_db import tables as t
from bot.staff_db.errors import NotFoundError
from bot.staff_db.users import ADDRESS, RateLimited
from bot.staff_db.validation import ValidationError
from bot.web.admin import render
from bot.web.admin.context import Admin, run_sync

COOKIE = "beu_admin_session"
LOGIN_COOKIE = "beu_admin_login"
COOKIE_PATH = "/admin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SECRET_KEY_SETTING = "admin_secret_key"
LOGOUT_PREFIX = "admin_logout:"
LOGIN_PAGE = "/admin/login"
Handler = Callable[..., Awaitable[HTTPResponse]]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    user_id: int
    username: str
    issued_at: float
    expires_at: float
    csrf_token: str
    password_tag: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.user_id,
            "name": self.username,
            "iat": self.issued_at,
            "exp": self.expires_at,
            "csrf": self.csrf_token,
            "pw": self.password_tag,
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Signs and checks session cookies for one database."""

    def __init__(self, admin: Admin) -> None:
        self.admin = admin
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            secret = self.admin.settings.secret_key or self.admin.setting_once(
                SECRET_KEY_SETTING, lambda: secrets.token_hex(32)
            )
            self._key = secret.encode("utf-8")
        return self._key

    def _mac(self, text: str) -> str:
        return _b64(hmac.new(self.key, text.encode("ascii"), hashlib.sha256).digest())

    def password_tag(self, password_hash: str) -> str:
        # Keyed, so the cookie (readable by its holder) reveals nothing about the hash.
        return self._mac("pw:" + _b64(password_hash.encode("utf-8")))[:22]

    def sign(self, session: Session) -> str:
        payload = _b64(json.dumps(session.to_dict(), separators=(",", ":")).encode("utf-8"))
        return f"{payload}.{self._mac(payload)}"

    def unsign(self, value: str | None) -> Session | None:
        """The session in a cookie value if its signature is ours and it has not expired."""
        if not value or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        if not hmac.compare_digest(self._mac(payload), signature):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = Session(
                int(data["uid"]),
                str(data["name"]),
                float(data["iat"]),
                float(data["exp"]),
                str(data["csrf"]),
                str(data["pw"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires_at > time.time() else None

    def new(self, username: str) -> Session:
        """A session for a user whose password was just verified."""
        user = self._user_row(username=username)
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        now = time.time()
        hours = self.admin.settings.session_hours
        return Session(
            user.id,
            user.username,
            now,
            now + hours * 3600,
            secrets.token_urlsafe(32),
            self.password_tag(user.password_hash),
        )

    def still_valid(self, session: Session) -> bool:
        """The account still exists, is enabled, has the same password, and has not logged out."""
        user = self._user_row(user_id=session.user_id)
        if user is None or user.disabled or user.username != session.username:
            return False
        if not hmac.compare_digest(self.password_tag(user.password_hash), session.password_tag):
            return False
        logged_out = self.admin.setting(LOGOUT_PREFIX + str(session.user_id))
        return not (logged_out and float(logged_out) >= session.issued_at)

    def end_all(self, session: Session) -> None:
        """Log the user out: every session of theirs issued until now stops working."""
        self.admin.set_setting(LOGOUT_PREFIX + str(session.user_id), repr(time.time()))

    def _user_row(self, user_id: int | None = None, username: str | None = None) -> Any:
        users = t.users
        columns = select(users.c.id, users.c.username, users.c.password_hash, users.c.disabled)
        if user_id is not None:
            statement = columns.where(users.c.id == user_id)
        else:
            statement = columns.where(users.c.username == username)
        with self.admin.engine.connect() as connection:
            return connection.execute(statement).first()


# -- cookies ---------------------------------------------------------------------------------


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.scheme == "https" or forwarded == "https"


def set_cookie(
    request: Request, resp: HTTPResponse, name: str, value: str, max_age: int, path: str
) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["path"] = path
    cookie["max-age"] = max_age
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if is_https(request):
        cookie["secure"] = True


def clear_cookie(request: Request, resp: HTTPResponse, name: str, path: str) -> None:
    set_cookie(request, resp, name, "", 0, path)


def start_session(request: Request, resp: HTTPResponse, session: Session) -> None:
    sessions: Sessions = request.app.ctx.admin_sessions
    max_age = max(1, int(session.expires_at - time.time()))
    set_cookie(request, resp, COOKIE, sessions.sign(session), max_age, COOKIE_PATH)


async def current_session(request: Request) -> Session | None:
    sessions: Sessions = request.app.ctx.admin_sessions
    session = sessions.unsign(request.cookies.get(COOKIE))
    if session is None or not await run_sync(sessions.still_valid, session):
        return None
    return session


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def client_ip(request: Request) -> str:
    """The real client's address: the proxy's word for it, else the connection's peer.

    Sanic sets `remote_addr` only from a header it was told to trust: our nginx's
    `Forwarded: for=...;secret=...` when SANIC_FORWARDED_SECRET matches (scaled profile,
    compose), or SANIC_REAL_IP_HEADER behind a proxy that always overwrites it and is the only
    way in (Kubernetes). A direct client's own X-Forwarded-For or Forwarded is ignored, so a
    guesser can neither pick a fresh address for every try nor pass as someone else."""
    return request.remote_addr or request.ip or "unknown"


async def verify_password(request: Request, username: str, password: str) -> Session | None:
    """A new session for the right password; None when wrong; RateLimited when locked."""
    admin: Admin = request.app.ctx.admin
    ok = await run_sync(admin.users.verify, username, password, client_ip(request))
    if not ok:
        return None
    return await run_sync(request.app.ctx.admin_sessions.new, username)


def retry_minutes(error: RateLimited) -> int:
    return max(1, math.ceil(error.retry_after_seconds / 60))


def rate_limited_message(error: RateLimited) -> str:
    """Why the login is refused and for how long (staff must not guess at either)."""
    minutes = retry_minutes(error)
    wait = f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    if error.scope == ADDRESS:
        return (
            "Too many failed logins from your network address, with any username. "
            f"{wait} Staff logging in from other addresses are not affected."
        )
    return f"Too many failed logins for this username from your network address. {wait}"


def rate_limited_json(error: RateLimited) -> HTTPResponse:
    return response.json(
        {
            "error": "rate_limited",
            "reason": error.scope,
            "message": rate_limited_message(error),
            "retry_after_seconds": error.retry_after_seconds,
        },
        status=429,
        headers={"Retry-After": str(error.retry_after_seconds)},
    )


# A login while the staff database is locked or unreachable: said at once, nothing lost.
DATABASE_BUSY_MESSAGE = "The staff database is busy: nothing was lost. Try again in a few seconds."


def log_database_busy(error: OperationalError) -> None:
    """Logged, not shown: the staff member sees DATABASE_BUSY_MESSAGE."""
    log.warning("staff login while the database is busy: %s", error.orig or error)


def database_busy_json() -> HTTPResponse:
    from bot.web.admin.busy import busy_json  # the admin's one busy reply, with the login's words

    return busy_json(DATABASE_BUSY_MESSAGE)


# -- the guard -------------------------------------------------------------------------------


def _api_error(status: int, error: str, **extra: Any) -> HTTPResponse:
    return response.json({"error": error, **extra}, status=status)


def login_redirect(request: Request) -> HTTPResponse:
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    return response.redirect(f"{LOGIN_PAGE}?next={quote(target, safe='')}")


def guarded(api: bool) -> Callable[[Handler], Handler]:
    """Require a valid session (and, for anything but GET, the CSRF token); map store errors.

    HTML: no session -> 302 to the login page; bad token -> 403 page.
    API:  no session -> 401 JSON; bad token -> 403 JSON; ValidationError -> 422 {"errors"}.
    Either: NotFoundError -> 404.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = await current_session(request)
            if session is None:
                return _api_error(401, "login required") if api else login_redirect(request)
            if request.method not in ("GET", "HEAD"):
                given = (
                    request.headers.get(CSRF_HEADER)
                    if api
                    else (request.form.get(CSRF_FIELD) if request.form else None)
                )
                if not csrf_ok(session.csrf_token, given):
                    if api:
                        return _api_error(403, "missing or wrong X-CSRF-Token header")
                    return render.error_page(request, session, 403, render.CSRF_MESSAGE)
            request.ctx.session = session
            try:
                return await handler(request, *args, **kwargs)
            except NotFoundError as error:
                if api:
                    return _api_error(404, "not found", detail=str(error))
                return render.error_page(request, session, 404, str(error))
            except ValidationError as error:
                if api:
                    return response.json({"errors": error.errors}, status=422)
                message = "; ".join(f"{name}: {text}" for name, text in error.errors.items())
                return render.error_page(request, session, 422, message)

        return wrapper

    return decorate


def who(request: Request) -> str:
    return request.ctx.session.username
