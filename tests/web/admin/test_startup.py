"""Start-up: the schema is migrated before the first request, and an empty FAQ is seeded."""

from __future__ import annotations

import uuid

import pytest
from sanic import Sanic

from bot.staff_db.db import is_up_to_date
from bot.staff_db.faq import FaqRepository
from bot.staff_db.users import Users
from bot.staff_db.validation import FaqDraft
from bot.web.admin import AdminSettings
from bot.web.app import WebConfig, create_app
from tests.staff_db.conftest import empty_engine  # noqa: F401
from tests.web.admin.live import PASSWORD, USERNAME, Client, LiveApp

SEED = """\
faq:
  - question: Is there a shuttle from the airport?
    phrasings: [airport shuttle]
    answer: Not that we know of; ask the international office.
    tags: [transport]
    owner: International Office
    as_of: 2024-09-01
    state: published
"""


@pytest.fixture()
def start(monkeypatch, tmp_path):
    monkeypatch.setattr(Sanic, "test_mode", True)
    seed = tmp_path / "faq.yml"
    seed.write_text(SEED)
    running = []

    def run(engine, seed_file=seed) -> LiveApp:
        settings = AdminSettings(secret_key="k", bcrypt_rounds=4, seed_file=seed_file)
        app = create_app(WebConfig(), f"admin_start_{uuid.uuid4().hex[:8]}", engine, settings)
        app.config.MOTD = False
        live = LiveApp(app).start()
        running.append(live)
        return live

    yield run
    for live in running:
        live.stop()


def test_a_fresh_database_is_migrated_and_seeded_before_serving(start, empty_engine):  # noqa: F811
    assert not is_up_to_date(empty_engine)
    live = start(empty_engine)
    assert is_up_to_date(empty_engine)
    entries = FaqRepository(empty_engine).list_entries()
    assert [(e.question, e.state, e.updated_by) for e in entries] == [
        ("Is there a shuttle from the airport?", "published", "seed")
    ]
    Users(empty_engine, rounds=4).add_user(USERNAME, PASSWORD)
    client = Client(live.url)
    assert client.login().status_code == 200
    assert len(client.api("GET", "/entries").json()["entries"]) == 1
    assert client.get("/health").json()["status"] == "ok"
    live.stop()

    start(empty_engine)  # a restart imports nothing again
    assert len(FaqRepository(empty_engine).history(entries[0].id)) == 1


def test_no_seed_over_existing_entries_or_without_the_file(start, engine, tmp_path):
    FaqRepository(engine).create(FaqDraft("Own question?", "Own answer.", owner="IO"), "staff")
    start(engine).stop()
    assert [e.question for e in FaqRepository(engine).list_entries()] == ["Own question?"]
    start(engine, seed_file=tmp_path / "missing.yml")


def test_an_invalid_seed_file_does_not_stop_the_app(start, engine, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("faq:\n  - question: no answer here\n")
    live = start(engine, seed_file=bad)
    assert FaqRepository(engine).list_entries() == []
    assert Client(live.url).get("/admin/login").status_code == 200
