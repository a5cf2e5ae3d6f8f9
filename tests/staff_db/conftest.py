"""Every storage test runs twice: on a SQLite file and on a real PostgreSQL.

PostgreSQL is a throwaway cluster started once per session (tests/postgres.py), or the server
DATABASE_URL_TEST names (its user needs CREATEDB). Migration tests get brand-new empty databases;
the others share one migrated database, emptied before each test.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List, Tuple

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.future import create_engine

from bot.staff_db import tables as t
from bot.staff_db.db import make_engine, migrate
from tests.postgres import new_database

FACTS = frozenset({"projects[promig]", "mobility.students", "programmes.dual_degree"})


@pytest.fixture(scope="session")
def postgres_migrated(postgres_server: str) -> Iterator[Tuple[str, List[dict]]]:
    """One migrated database for the session, and the settings rows the migration seeded.

    CREATE DATABASE costs half a second on PostgreSQL, so tests share this one and `engine`
    empties it before each test instead.
    """
    with _postgres_database(postgres_server) as engine:
        migrate(engine)
        with engine.connect() as connection:
            seeded = [dict(r._mapping) for r in connection.execute(select(t.settings))]
        yield engine.url.render_as_string(hide_password=False), seeded


def _reset(url: str, seeded: List[dict]) -> None:
    """Back to "just migrated": every table emptied, ids restarted, seeded settings restored."""
    names = ", ".join(f'"{table.name}"' for table in t.metadata.sorted_tables)
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        # a test that leaked an open transaction makes this fail rather than hang
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(insert(t.settings), seeded)
    engine.dispose()


@contextmanager
def _postgres_database(server: str) -> Iterator[Engine]:
    """A brand-new empty database on `server`, dropped afterwards."""
    with new_database(server, "beu_store") as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An engine on a database with no tables at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
        yield engine
        engine.dispose()
    else:
        with _postgres_database(request.getfixturevalue("postgres_server")) as engine:
            yield engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An engine on a fresh, fully migrated database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
        migrate(engine)
        yield engine
        engine.dispose()
    else:
        url, seeded = request.getfixturevalue("postgres_migrated")
        _reset(url, seeded)
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture()
def known_facts():
    """A fixed set of fact ids, so FAQ tests do not depend on today's knowledge base."""
    return lambda: FACTS
