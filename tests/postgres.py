"""Fresh databases on the tests' PostgreSQL server (the `postgres_server` fixture, started by
tests/system.py with the scaled profile's own code)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the server `server_url` points at."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def new_database(server_url: str, prefix: str = "beu_test") -> Iterator[str]:
    """A brand-new empty database on the server, its URL, dropped (connections and all) after."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield database_url(server_url, name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
