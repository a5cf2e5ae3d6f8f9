"""Logging in and out, the session cookie, and refusing everyone else."""

from __future__ import annotations

import json
import time
from http.cookies import SimpleCookie

import pytest

from bot.staff_db.users import ADDRESS_MAX_FAILURES, MAX_FAILURES
from tests.web.admin.helpers import hidden, html_login
from tests.web.admin.live import PASSWORD, USERNAME, Client

HTML_PAGES = [
    "/admin",
    "/admin/",
    "/admin/entries",
    "/admin/entries/new",
    "/admin/entries/1",
    "/admin/entries/1/history",
    "/admin/inbox",
    "/admin/preview",
    "/admin/review",
]
API_CALLS = [
    ("GET", "/entries"),
    ("POST", "/entries"),
    ("GET", "/entries/1"),
    ("PUT", "/entries/1"),
    ("POST", "/entries/1/publish"),
    ("POST", "/entries/1/unpublish"),
    ("GET", "/entries/1/history"),
    ("POST", "/entries/1/rollback"),
    ("POST", "/preview"),
    ("GET", "/inbox"),
    ("POST", "/inbox/dismiss"),
    ("POST", "/handoffs/1/close"),
    ("GET", "/me"),
]


def set_cookie(reply, name: str) -> str:
    """The raw Set-Cookie header for `name`."""
    headers = reply.raw.headers.getlist("Set-Cookie")
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, f"no Set-Cookie for {name}: {headers}"
    return found[-1]


def cookie_flags(header: str) -> dict:
    cookie = SimpleCookie()
    cookie.load(header)
    morsel = next(iter(cookie.values()))
    lowered = header.lower()
    return {
        "httponly": "httponly" in lowered,
        "secure": "; secure" in lowered,
        "samesite": morsel["samesite"],
        "path": morsel["path"],
        "max_age": morsel["max-age"],
    }


def test_without_a_session_pages_redirect_to_login_and_the_api_says_401(anonymous, staff):
    for path in HTML_PAGES:
        reply = anonymous.get(path)
        assert reply.status_code == 302, path
        assert reply.headers["Location"].startswith("/admin/login?next="), path
    for method, path in API_CALLS:
        reply = anonymous.api(method, path, {"x": 1})
        assert reply.status_code == 401, (method, path)
        assert reply.json() == {"error": "login required"}
    # HTML POSTs without a session redirect too, and write nothing
    assert anonymous.post("/admin/entries/new", data={"question": "x"}).status_code == 302


def test_wrong_password_and_unknown_user_are_refused(anonymous, staff):
    reply = anonymous.login(USERNAME, "not the password")
    assert reply.status_code == 401
    assert "Set-Cookie" not in reply.headers
    assert anonymous.login("nobody.here", PASSWORD).status_code == 401
    assert anonymous.api("GET", "/entries").status_code == 401

    page = html_login(anonymous, USERNAME, "not the password")
    assert page.status_code == 401
    assert "Wrong username or password." in page.text
    assert 'value="staff.one"' in page.text, "the username is kept, the password is not"
    assert anonymous.get("/admin/entries").status_code == 302


def test_login_page_then_session_cookie_flags(anonymous, staff):
    reply = html_login(anonymous)
    assert reply.status_code == 302 and reply.headers["Location"] == "/admin/entries"
    flags = cookie_flags(set_cookie(reply, "beu_admin_session"))
    assert flags["httponly"] and flags["samesite"] == "Strict" and flags["path"] == "/admin"
    assert not flags["secure"], "plain http: a Secure cookie would never come back"
    assert 8 * 3600 - 60 <= int(flags["max_age"]) <= 8 * 3600
    assert anonymous.get("/admin/entries").status_code == 200


def test_cookie_is_secure_behind_https(live, staff):
    client = Client(live.url)
    client.http.headers["X-Forwarded-Proto"] = "https"
    reply = client.login()
    assert reply.status_code == 200
    flags = cookie_flags(set_cookie(reply, "beu_admin_session"))
    assert flags["secure"] and flags["httponly"] and flags["samesite"] == "Strict"
    login_form = client.get("/admin/login")
    assert cookie_flags(set_cookie(login_form, "beu_admin_login"))["secure"]


def test_api_login_returns_the_csrf_token_of_the_session(anonymous, staff):
    reply = anonymous.login()
    assert reply.status_code == 200
    body = reply.json()
    assert body["username"] == USERNAME and len(body["csrf_token"]) >= 32
    me = anonymous.api("GET", "/me")
    assert me.json()["csrf_token"] == body["csrf_token"]
    assert me.headers["Cache-Control"] == "no-store" == reply.headers["Cache-Control"]


def test_the_login_form_needs_its_own_token(anonymous, staff):
    data = {"username": USERNAME, "password": PASSWORD, "csrf_token": "made-up"}
    reply = anonymous.post("/admin/login", data=data)
    assert reply.status_code == 403
    assert "Set-Cookie" not in reply.headers or "beu_admin_session" not in reply.headers.get(
        "Set-Cookie", ""
    )
    assert anonymous.get("/admin/entries").status_code == 302


NAME_LOCKED = "Too many failed logins for this username from your network address."
ADDRESS_LOCKED = "Too many failed logins from your network address, with any username."


def test_repeated_failures_are_rate_limited_and_staff_are_told_why(anonymous, staff):
    for _ in range(MAX_FAILURES):
        assert anonymous.login(USERNAME, "wrong password!").status_code == 401
    locked = anonymous.login(USERNAME, PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429
    body = locked.json()
    assert body["reason"] == "name_at_address"
    assert body["message"] == f"{NAME_LOCKED} Try again in 15 minutes."
    assert 0 < int(locked.headers["Retry-After"]) == body["retry_after_seconds"] <= 15 * 60

    page = html_login(anonymous)
    assert page.status_code == 429
    assert f"{NAME_LOCKED} Try again in 15 minutes." in page.text
    assert 'value="staff.one"' in page.text, "the username is kept"
    assert 0 < int(page.headers["Retry-After"]) <= 15 * 60
    assert anonymous.get("/admin/entries").status_code == 302


def test_invented_names_lock_the_address_and_say_so(anonymous, staff):
    for index in range(ADDRESS_MAX_FAILURES):
        assert anonymous.login(f"invented{index}", "wrong password!").status_code == 401
    locked = anonymous.login(USERNAME, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["reason"] == "address"
    assert locked.json()["message"].startswith(ADDRESS_LOCKED)
    assert "other addresses are not affected" in locked.json()["message"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/plain; charset=json", "application/x-www-form-urlencoded"]
)
def test_api_login_requires_a_json_body(anonymous, staff, content_type):
    body = json.dumps({"username": USERNAME, "password": PASSWORD})
    reply = anonymous.post("/admin/api/login", data=body, headers={"Content-Type": content_type})
    assert reply.status_code == 415
    assert reply.json()["error"] == "unsupported_media_type"
    assert "application/json" in reply.json()["message"]
    assert "beu_admin_session" not in reply.headers.get("Set-Cookie", "")
    typed = {"Content-Type": "application/json; charset=utf-8"}
    assert anonymous.post("/admin/api/login", data=body, headers=typed).status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(client, live):
    stolen = client.http.cookies.get("beu_admin_session")
    page = client.get("/admin/entries")
    reply = client.form("/admin/logout", {"csrf_token": hidden(page.text, "csrf_token")[0]})
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/admin/login")
    assert client.get("/admin/entries").status_code == 302

    other = Client(live.url)
    other.http.cookies.set("beu_admin_session", stolen, path="/admin")
    assert other.api("GET", "/entries").status_code == 401
    # logging in again works
    assert client.login().status_code == 200
    assert client.api("GET", "/entries").status_code == 200


def test_tampered_or_foreign_cookies_are_refused(client, live):
    value = client.http.cookies.get("beu_admin_session")
    payload, signature = value.split(".")
    forged = Client(live.url)
    for bad in [
        payload + "." + signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB"),
        payload[:-3] + "xyz." + signature,
        "garbage",
        "",
    ]:
        forged.http.cookies.set("beu_admin_session", bad, path="/admin")
        assert forged.api("GET", "/entries").status_code == 401, bad


def test_disabled_user_and_changed_password_end_sessions(client, users):
    assert client.api("GET", "/entries").status_code == 200
    users.set_password(USERNAME, "a brand new password")
    assert client.api("GET", "/entries").status_code == 401
    assert client.login(USERNAME, "a brand new password").status_code == 200
    users.disable(USERNAME)
    assert client.api("GET", "/entries").status_code == 401
    assert client.login(USERNAME, "a brand new password").status_code == 401


def test_sessions_expire(make_live, staff):
    live = make_live(session_hours=1.5 / 3600)
    client = Client(live.url)
    assert client.login().status_code == 200
    assert client.api("GET", "/entries").status_code == 200
    time.sleep(2)
    assert client.api("GET", "/entries").status_code == 401


@pytest.mark.parametrize(
    "target, lands",
    [
        ("/admin/inbox", "/admin/inbox"),
        ("//evil.example/admin", "/admin/entries"),
        ("https://evil.example/", "/admin/entries"),
        ("/admin/..//evil.example", "/admin/entries"),
        ("/admin\\@evil.example", "/admin/entries"),
    ],
)
def test_after_login_only_admin_pages_are_followed(anonymous, staff, target, lands):
    form = anonymous.get("/admin/login", params={"next": target})
    token = hidden(form.text, "csrf_token")[0]
    data = {"username": USERNAME, "password": PASSWORD, "csrf_token": token, "next": target}
    reply = anonymous.post("/admin/login", data=data)
    assert reply.status_code == 302 and reply.headers["Location"] == lands


def test_the_secret_key_is_made_once_and_kept(make_live, staff, engine):
    from bot.web.admin.auth import SECRET_KEY_SETTING
    from bot.web.admin.context import Admin, AdminSettings

    first = make_live(secret_key=None)
    client = Client(first.url)
    assert client.login().status_code == 200
    stored = Admin(engine, AdminSettings()).setting(SECRET_KEY_SETTING)
    assert stored and len(stored) >= 64
    first.stop()
    second = make_live(secret_key=None)  # a restart: the same key, so the session still holds
    client.base = second.url
    assert client.api("GET", "/entries").status_code == 200


@pytest.fixture()
def sqlite_live(tmp_path, monkeypatch, fake_bot):
    """The admin on a SQLite file whose busy timeout is 0.3 s (the default waits far longer),
    and a way to hold the database's write lock as another process would."""
    import sqlite3
    import uuid

    from sanic import Sanic
    from sqlalchemy import event

    from bot.staff_db.db import make_engine, migrate
    from bot.staff_db.users import Users
    from bot.web.admin import AdminSettings
    from bot.web.app import WebConfig, create_app
    from tests.web.admin.live import LiveApp

    path = tmp_path / "staff.sqlite3"
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection, _record) -> None:  # after the default pragmas
        dbapi_connection.execute("PRAGMA busy_timeout=300")

    migrate(engine)
    Users(engine, rounds=4).add_user(USERNAME, PASSWORD)
    monkeypatch.setattr(Sanic, "test_mode", True)
    settings = AdminSettings(
        bot_rest_url=fake_bot.url, secret_key="k", bcrypt_rounds=4, seed_file=None
    )
    app = create_app(WebConfig(), f"busy_{uuid.uuid4().hex[:8]}", engine, settings)
    app.config.MOTD = False
    live = LiveApp(app).start()
    holder = sqlite3.connect(path, isolation_level=None)
    yield live, holder
    holder.close()
    live.stop()
    engine.dispose()


def test_a_login_while_the_database_is_locked_says_so_at_once_and_keeps_the_name(sqlite_live):
    live, holder = sqlite_live
    client = Client(live.url)
    form = client.get("/admin/login")
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    started = time.monotonic()
    data = {"username": USERNAME, "password": PASSWORD, "csrf_token": "", "next": ""}
    data["csrf_token"] = hidden(form.text, "csrf_token")[0]
    page = client.post("/admin/login", data=data)
    api = client.login()
    elapsed = time.monotonic() - started
    assert page.status_code == 503 and api.status_code == 503
    assert "The staff database is busy: nothing was lost." in page.text
    assert 'value="staff.one"' in page.text, "what the staff member typed is still there"
    assert api.json()["error"] == "database_busy" and api.headers["Retry-After"] == "5"
    assert elapsed < 5, f"answered in {elapsed:.1f} s"
    assert client.get("/admin/login").status_code == 200  # the form itself needs no database

    holder.execute("COMMIT")
    assert client.login().status_code == 200  # and once the lock is gone, it just works
