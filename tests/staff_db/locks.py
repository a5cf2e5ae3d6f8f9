"""Holding a staff database locked for real, from another connection, as an admin bulk import, a
backup or a stuck transaction would."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.future import create_engine

from bot.staff_db import tables as t


@contextmanager
def write_locked(engine: Engine) -> Iterator[None]:
    """SQLite: another connection inside BEGIN EXCLUSIVE (in WAL mode readers still read, every
    writer waits). PostgreSQL: another session holding ACCESS EXCLUSIVE on the inbox, FAQ and
    settings tables (readers of those tables wait too)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    other = create_engine(url.render_as_string(hide_password=False), future=True)
    names = ", ".join(f'"{table.name}"' for table in (t.unanswered, t.handoffs, t.faq_entries))
    with other.connect() as connection:
        transaction = connection.begin()
        connection.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction.rollback()
    other.dispose()


def read_only_url(engine: Engine) -> str:
    """The same SQLite file opened read-only (a read-only disk or mount, as root can't chmod)."""
    return f"sqlite:///file:{engine.url.database}?mode=ro&uri=true"
