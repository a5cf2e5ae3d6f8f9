"""The front door through the real nginx: the scaled profile's generated configuration (bot/ops/
services/nginx.py, started by its own code) in front of the real web app, on a SQLite staff
database (no Rasa, PostgreSQL or Redis needed: nothing here reaches them).

Clients come from different loopback addresses (the whole of 127/8 is local), so nginx's
$remote_addr differs: one client's guesses and floods must cost only that client.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sanic import Sanic
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.ops.health import http_ready, wait_until
from bot.ops.scaled import ScaledPorts, ScaledProfile
from bot.ops.services.front_limits import TOO_MANY_BODY, FrontLimits, Limit
from bot.ops.services.nginx import Nginx
from bot.staff_db import tables as t
from bot.staff_db.db import make_engine, migrate
from bot.staff_db.users import ADDRESS_MAX_FAILURES, MAX_FAILURES, Users
from bot.web.admin import AdminSettings
from bot.web.app import WebConfig, create_app
from tests.system import binary, free_port
from tests.web.admin.live import PASSWORD, USERNAME, LiveApp

pytestmark = [pytest.mark.heavy, pytest.mark.xdist_group("front-door")]

# The shipped limits, but the page and login limits small enough to flood in a second, and the
# login's burst big enough for the lock-out tests' 20-odd tries from one address.
LIMITS = FrontLimits(page=Limit(20, "s", 10), login=Limit(60, "m", 25))


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class FrontDoor:
    nginx_port: int
    web_port: int
    engine: Engine

    def call(
        self,
        source: str,
        method: str,
        path: str,
        body: dict | str | None = None,
        headers: dict[str, str] | None = None,
        direct: bool = False,
    ) -> Reply:
        """One request from the client address `source`, through nginx (or `direct` to the
        web app); the path is sent as given (no client library normalises it)."""
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        port = self.web_port if direct else self.nginx_port
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=10, source_address=(source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    def login(self, source: str, username: str, password: str, **kwargs: object) -> Reply:
        """A login, paced under LIMITS' page rate: logins count against the page limit as well
        (both apply to the admin), and only the login limit and the lock-outs are under test
        here. Unpaced, a fast machine trips the page limit first."""
        time.sleep(1.2 / LIMITS.page.count)  # LIMITS.page is per second
        body = {"username": username, "password": password}
        return self.call(source, "POST", "/admin/api/login", body, **kwargs)  # type: ignore[arg-type]

    def addresses_recorded(self, username: str) -> set[str]:
        """The client addresses the web app recorded for login attempts at `username`."""
        attempts = t.login_attempts
        with self.engine.connect() as connection:
            rows = connection.execute(select(attempts.c.ip).where(attempts.c.username == username))
            return {row.ip for row in rows}


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory):
    binary("nginx")
    root = tmp_path_factory.mktemp("front-door")
    engine = make_engine(f"sqlite:///{root / 'staff.sqlite3'}")
    migrate(engine)
    Users(engine, rounds=4).add_user(USERNAME, PASSWORD)
    ports = ScaledPorts(
        front=free_port(),
        rasa=[free_port()],
        actions=[free_port()],
        actions_lb=free_port(),
        postgres=free_port(),
        redis=free_port(),
    )
    profile = ScaledProfile(ports=ports, var_dir=root, replicas=1, action_servers=1, limits=LIMITS)
    settings = AdminSettings(secret_key="k" * 32, bcrypt_rounds=4, seed_file=None)
    with pytest.MonkeyPatch.context() as patch:
        # The web app reads what the profile gives it (SANIC_FORWARDED_SECRET) as Sanic does:
        # from the environment, when the app is made.
        for name, value in profile.env().items():
            if name.startswith("SANIC_"):
                patch.setenv(name, value)
        patch.setattr(Sanic, "test_mode", True)  # several apps in one process
        app = create_app(WebConfig(), f"front_{uuid.uuid4().hex[:8]}", engine, settings)
        app.config.MOTD = False
        web = LiveApp(app)
        ports.web = web.port
        web.start()
        nginx = Nginx(root / "nginx", profile.nginx_conf())
        try:
            nginx.start()
            wait_until("nginx", lambda: http_ready(f"http://127.0.0.1:{ports.front}/health"), 15)
            yield FrontDoor(ports.front, ports.web, engine)
        finally:
            nginx.stop()
            web.stop()
            engine.dispose()


def test_invented_names_from_one_address_lock_that_address_only(front):
    guesser, colleague = "127.0.0.2", "127.0.0.3"
    for index in range(ADDRESS_MAX_FAILURES):
        assert front.login(guesser, f"invented{index}", "wrong password").status == 401
    assert front.addresses_recorded("invented0") == {guesser}, "the client's, not nginx's"

    locked = front.login(guesser, USERNAME, PASSWORD)
    assert locked.status == 429  # the app's own lock-out, passed through nginx unchanged
    assert locked.json()["reason"] == "address"
    assert "Try again in 15 minutes" in locked.json()["message"]
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60

    assert front.login(colleague, USERNAME, PASSWORD).status == 200  # the rest of the staff


def test_a_guesser_at_a_real_name_does_not_lock_its_owner_out(front):
    attacker, owner = "127.0.0.4", "127.0.0.5"
    for _ in range(MAX_FAILURES):
        assert front.login(attacker, USERNAME, "wrong password").status == 401
    locked = front.login(attacker, USERNAME, PASSWORD)
    assert locked.status == 429 and locked.json()["reason"] == "name_at_address"
    assert front.login(owner, USERNAME, PASSWORD).status == 200


def test_a_client_cannot_claim_another_address(front):
    forged = {
        "X-Forwarded-For": "198.51.100.7",
        "X-Real-IP": "198.51.100.7",
        "Forwarded": "for=198.51.100.7;secret=guessed-secret-0000",
    }
    front.login("127.0.0.6", "forged.via.nginx", "wrong password", headers=forged)
    assert front.addresses_recorded("forged.via.nginx") == {"127.0.0.6"}
    # Straight to the web app, bypassing nginx: its own address too, nothing it claims.
    front.login("127.0.0.7", "forged.direct", "wrong password", headers=forged, direct=True)
    assert front.addresses_recorded("forged.direct") == {"127.0.0.7"}


def test_a_flood_gets_429_while_paced_requests_pass(front):
    paced = []
    for _ in range(16):  # more than the burst (10), at ~10 a second: within the rate (20/s)
        paced.append(front.call("127.0.0.8", "GET", "/health").status)
        time.sleep(0.1)
    assert paced == [200] * 16

    with ThreadPoolExecutor(max_workers=16) as pool:
        flood = list(pool.map(lambda _: front.call("127.0.0.9", "GET", "/health"), range(80)))
    statuses = [reply.status for reply in flood]
    assert statuses.count(429) >= 10 and statuses.count(200) >= 10, statuses
    refused = next(reply for reply in flood if reply.status == 429)
    assert refused.body.decode() == TOO_MANY_BODY + "\n"
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert front.call("127.0.0.10", "GET", "/health").status == 200  # per address


def test_staff_logins_have_their_own_stricter_limit(front):
    flood = [front.login("127.0.0.11", f"flood{i}", "wrong password") for i in range(50)]
    by_nginx = [reply for reply in flood if reply.body == (TOO_MANY_BODY + "\n").encode()]
    assert len(by_nginx) >= 10, [reply.status for reply in flood]
    assert all(reply.status == 429 for reply in by_nginx)
    # The login form and the page are not in the login limit.
    assert front.call("127.0.0.11", "GET", "/admin/login").status == 200


@pytest.mark.parametrize("path", ["/static/", "/%00", "/static/%00", "/static/admin.css%00"])
def test_directories_and_nul_bytes_are_a_client_error_never_a_500(front, path):
    # Straight to the web app: 404. Through nginx, a NUL never gets that far: nginx answers
    # 400 Bad Request itself.
    assert front.call("127.0.0.12", "GET", path, direct=True).status == 404
    expected = 400 if "%00" in path else 404
    assert front.call("127.0.0.12", "GET", path).status == expected
    assert front.call("127.0.0.12", "GET", "/static/admin.css").status == 200


def test_a_text_plain_login_is_refused_through_nginx(front):
    body = json.dumps({"username": USERNAME, "password": PASSWORD})
    reply = front.call(
        "127.0.0.13", "POST", "/admin/api/login", body, headers={"Content-Type": "text/plain"}
    )
    assert reply.status == 415 and reply.json()["error"] == "unsupported_media_type"
    assert "beu_admin_session" not in (reply.headers["Set-Cookie"] or "")
