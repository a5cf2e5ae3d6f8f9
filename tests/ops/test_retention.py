"""Retention: conversations idle past the period are deleted whole, active ones kept whole, on a
real Rasa SQLTrackerStore (SQLite file, and PostgreSQL when it is installed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.ops import retention
from bot.ops.retention import delete_conversations_older_than
from tests.helpers import run_coroutine

DAY = 86400.0


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load("domain.yml")


def sqlite_store(path: Path, domain):
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore(domain, dialect="sqlite", db=str(path))


def conversation(sender: str, ages_in_days, domain):
    """A tracker whose events happened the given numbers of days ago (oldest first)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    now = time.time()
    events = []
    for age in ages_in_days:
        at = now - age * DAY
        events += [
            UserUttered(f"question from {sender}", {"name": "greet"}, timestamp=at),
            ActionExecuted("utter_greet", timestamp=at + 1),
            BotUttered(f"answer to {sender}", timestamp=at + 2),
        ]
    return DialogueStateTracker.from_events(sender, events, domain.slots)


def fill(store, domain) -> None:
    trackers = [
        conversation("old", [400, 390], domain),  # idle for 390 days
        conversation("just_expired", [200, 181], domain),
        conversation("still_active", [400, 300, 10], domain),  # old start, recent message
        conversation("new", [1, 0], domain),
    ]
    for tracker in trackers:
        run_coroutine(store.save(tracker))


def senders(store) -> set:
    return set(run_coroutine(store.keys()))


def events_of(store, sender: str) -> int:
    tracker = run_coroutine(store.retrieve(sender))
    return len(tracker.events) if tracker else 0


def check_retention(store, target) -> None:
    before = {s: events_of(store, s) for s in senders(store)}
    assert before.keys() == {"old", "just_expired", "still_active", "new"}
    assert delete_conversations_older_than(target, 180, dry_run=True) == 2
    assert senders(store) == before.keys(), "a dry run changes nothing"

    assert delete_conversations_older_than(target, 180) == 2
    assert senders(store) == {"still_active", "new"}
    for sender in ("still_active", "new"):
        assert events_of(store, sender) == before[sender], f"{sender} was cut"

    assert delete_conversations_older_than(target, 180) == 0, "idempotent"
    assert delete_conversations_older_than(target, 5) == 1
    assert senders(store) == {"new"}


def test_sqlite_tracker_store(tmp_path, domain):
    store = sqlite_store(tmp_path / "tracker.sqlite3", domain)
    fill(store, domain)
    check_retention(store, f"sqlite:///{tmp_path / 'tracker.sqlite3'}")


def test_deleted_text_does_not_linger_in_the_sqlite_file(tmp_path, domain):
    path = tmp_path / "tracker.sqlite3"
    store = sqlite_store(path, domain)
    fill(store, domain)
    assert b"question from old" in path.read_bytes()
    delete_conversations_older_than(store, 180)  # a store works as well as a URL
    store.engine.dispose()
    assert b"question from old" not in path.read_bytes()
    assert b"question from new" in path.read_bytes()


def test_postgresql_tracker_store(domain, postgres_server):
    from rasa.core.tracker_store import SQLTrackerStore

    from tests.postgres import new_database

    with new_database(postgres_server, "retention") as url:
        store = SQLTrackerStore(domain, host=url)
        fill(store, domain)
        check_retention(store, store.engine)
        store.engine.dispose()


def test_many_conversations_are_deleted_in_batches(tmp_path, monkeypatch):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'events.sqlite3'}")
    retention.EVENTS.metadata.create_all(engine)
    now = time.time()
    rows = [{"sender_id": f"s{i}", "timestamp": now - 200 * DAY} for i in range(1200)]
    rows += [{"sender_id": "s7", "timestamp": now}]  # s7 is still active
    with engine.begin() as connection:
        connection.execute(retention.EVENTS.insert(), rows)
    monkeypatch.setattr(retention, "BATCH", 100)
    assert delete_conversations_older_than(engine, 180) == 1199
    with engine.connect() as connection:
        left = connection.execute(sa.select(retention.EVENTS.c.sender_id)).scalars().all()
    assert left == ["s7", "s7"]


def test_an_empty_or_missing_database_has_nothing_to_delete(tmp_path):
    assert delete_conversations_older_than(f"sqlite:///{tmp_path / 'empty.sqlite3'}", 1) == 0
    with pytest.raises(ValueError):
        delete_conversations_older_than(f"sqlite:///{tmp_path / 'x.sqlite3'}", -1)


def test_cli(tmp_path, domain, monkeypatch, capsys):
    path = tmp_path / "tracker.sqlite3"
    store = sqlite_store(path, domain)
    fill(store, domain)
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("RETENTION_DAYS", "180")
    assert retention.main(["--dry-run"]) == 0
    assert "would delete 2 conversation(s)" in capsys.readouterr().out
    assert len(senders(store)) == 4
    assert retention.main(["--days", "5"]) == 0
    assert "deleted 3 conversation(s) idle for more than 5 days" in capsys.readouterr().out
    assert senders(store) == {"new"}
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'absent.sqlite3'}")
    assert retention.main([]) == 0
    assert "nothing to delete" in capsys.readouterr().out
    assert not (tmp_path / "absent.sqlite3").exists()


def test_the_database_comes_from_env_then_endpoints_then_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://localhost:5055/webhook\n")
    assert retention.tracker_db_url(endpoints) == "sqlite:///var/tracker.sqlite3"
    monkeypatch.setenv("TRACKER_DB_PASSWORD", "pw")
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: db.internal\n"
        "  port: 5433\n  db: rasa\n  username: rasa\n  password: ${TRACKER_DB_PASSWORD}\n"
    )
    assert retention.tracker_db_url(endpoints) == "postgresql://rasa:pw@db.internal:5433/rasa"
    endpoints.write_text("tracker_store:\n  type: sql\n  db: var/other.sqlite3\n")
    assert retention.tracker_db_url(endpoints) == "sqlite:///var/other.sqlite3"
    monkeypatch.setenv("TRACKER_DB_URL", "sqlite:///elsewhere.sqlite3")
    assert retention.tracker_db_url(endpoints) == "sqlite:///elsewhere.sqlite3"
    monkeypatch.setenv("RETENTION_DAYS", "30")
    assert retention.retention_days() == 30
    monkeypatch.delenv("RETENTION_DAYS")
    assert retention.retention_days() == 180


def test_the_profiles_tracker_store_url_is_used(monkeypatch):
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://beu@127.0.0.1:5433/beu_tracker")
    assert retention.tracker_db_url() == "postgresql://beu@127.0.0.1:5433/beu_tracker"
