"""Schema and connection behaviour on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from bot import paths
from bot.staff_db import db
from bot.staff_db import tables as t

TABLES = {
    "faq_entries",
    "faq_revisions",
    "unanswered",
    "handoffs",
    "users",
    "login_attempts",
    "settings",
    "feedback",
    "alembic_version",
    "analytics_parts",
    "analytics_conversations",
    "analytics_daily",
    "analytics_hourly",
    "analytics_questions",
}


def test_migrations_create_every_table_on_an_empty_database(empty_engine):
    assert db.current_revision(empty_engine) is None
    assert not db.is_up_to_date(empty_engine)
    assert inspect(empty_engine).get_table_names() == []

    head = db.migrate(empty_engine)

    assert head == db.head_revision() == "0006"
    assert set(inspect(empty_engine).get_table_names()) == TABLES
    assert db.is_up_to_date(empty_engine)


def test_migrating_again_changes_nothing_and_keeps_data(empty_engine):
    db.migrate(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(insert(t.settings).values(key="probe", value="kept"))

    assert db.migrate(empty_engine) == "0006"

    with empty_engine.connect() as connection:
        settings = dict(connection.execute(select(t.settings.c.key, t.settings.c.value)).all())
    assert settings == {"probe": "kept", t.FAQ_MARKER_KEY: "0"}


def test_migration_matches_the_table_definitions(engine):
    """tables.py and the migration must describe the same schema (no drift, nothing missing)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, t.metadata) == []


def test_sqlite_gets_wal_and_foreign_keys(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'nested' / 'staff.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (tmp_path / "nested" / "staff.sqlite3").exists()
    engine.dispose()


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert db.database_url() == f"sqlite:///{paths.STAFF_DB}"
    assert paths.STAFF_DB == paths.ROOT / "var" / "staff.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/beu")
    assert db.database_url() == "postgresql://u:p@db.example:5432/beu"


def test_migrate_accepts_a_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'by-url.sqlite3'}"
    assert db.migrate(url) == "0006"
    engine = db.make_engine(url)
    assert db.is_up_to_date(engine)
    engine.dispose()
