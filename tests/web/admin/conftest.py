"""The admin served for real on a loopback port (in a thread), on SQLite and on PostgreSQL.

Every test that uses `engine` (directly or through `live`/`client`) runs twice: on a SQLite
file and on a throwaway PostgreSQL (the storage tests' fixtures). The bot's REST channel is a
fake that records what it was sent (`fake_bot`).
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator, List

import pytest
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.staff_db.users import Users
from bot.web.admin import AdminSettings
from bot.web.admin.grouping import Grouper
from bot.web.app import WebConfig, create_app

# The storage tests' fixtures: `engine` is a fresh migrated database, SQLite and PostgreSQL.
from tests.staff_db.conftest import engine, postgres_migrated  # noqa: F401
from tests.web.admin.live import PASSWORD, USERNAME, Client, FakeBot, LiveApp, TopicEncoder


@pytest.fixture()
def fake_bot() -> Iterator[FakeBot]:
    bot = FakeBot()
    yield bot
    bot.close()


@pytest.fixture()
def encoder() -> TopicEncoder:
    return TopicEncoder()


@pytest.fixture()
def make_live(
    engine: Engine,  # noqa: F811
    fake_bot: FakeBot,
    encoder: TopicEncoder,
    monkeypatch: pytest.MonkeyPatch,
):
    """Start an admin app on `engine`; settings may be overridden."""
    # What sanic-testing does: several apps may start in one process (Sanic rewrites its HTTP
    # code at the first start-up, and only test mode keeps the original for the next one).
    monkeypatch.setattr(Sanic, "test_mode", True)
    started: List[LiveApp] = []

    def make(**overrides: Any) -> LiveApp:
        settings = AdminSettings(
            bot_rest_url=fake_bot.url,
            secret_key="test-secret-key",
            bcrypt_rounds=4,
            seed_file=None,
            grouping_wait_seconds=30,
            preview_timeout_seconds=5,
        )
        for name, value in overrides.items():
            setattr(settings, name, value)
        app = create_app(
            WebConfig(), name=f"admin_test_{uuid.uuid4().hex[:10]}", engine=engine, admin=settings
        )
        app.config.MOTD = False
        app.ctx.admin_grouper = Grouper(load=lambda: encoder)
        live = LiveApp(app).start()
        started.append(live)
        return live

    yield make
    for live in started:
        live.stop()


@pytest.fixture()
def live(make_live: Callable[..., LiveApp]) -> LiveApp:
    return make_live()


@pytest.fixture()
def users(engine: Engine) -> Users:  # noqa: F811
    return Users(engine, rounds=4)


@pytest.fixture()
def staff(users: Users) -> str:
    users.add_user(USERNAME, PASSWORD)
    return USERNAME


@pytest.fixture()
def anonymous(live: LiveApp) -> Iterator[Client]:
    client = Client(live.url)
    yield client
    client.close()


@pytest.fixture()
def client(live: LiveApp, staff: str) -> Iterator[Client]:
    """Logged in through the API; `client.csrf` is the session's token."""
    client = Client(live.url)
    assert client.login().status_code == 200
    yield client
    client.close()
