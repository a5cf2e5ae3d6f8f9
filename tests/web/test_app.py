"""The web app's own routes: static files, and URLs that must be a 404, never a 500."""

from __future__ import annotations

import socket
import uuid

import pytest
from sanic import Sanic

from bot.web.admin import AdminSettings
from bot.web.app import WebConfig, create_app
from tests.web.admin.live import LiveApp


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from bot.staff_db.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('web')}/staff.sqlite3")
    migrate(engine)
    settings = AdminSettings(secret_key="k", bcrypt_rounds=4, seed_file=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Sanic, "test_mode", True)  # several apps in one process (admin/conftest)
        app = create_app(WebConfig(), f"web_{uuid.uuid4().hex[:8]}", engine, settings)
        app.config.MOTD = False
        running = LiveApp(app).start()
        yield running
        running.stop()
    engine.dispose()


def status_of(port: int, raw_path: str) -> int:
    """The status of GET `raw_path`, sent byte for byte (no client normalises it first)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        request = f"GET {raw_path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode())
        head = connection.recv(64).decode("latin-1")
    return int(head.split()[1])


def test_static_files_are_served(live):
    assert status_of(live.port, "/static/admin.css") == 200
    assert status_of(live.port, "/static/widget.js") == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/",
        "/static",
        "/%00",
        "/static/%00",
        "/static/admin.css%00",
        "/static/x%00.css",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/nothing.css",
        "/admin/%00",
    ],
)
def test_directories_nul_bytes_and_unknown_files_are_404(live, path):
    assert status_of(live.port, path) == 404
