"""Database connection and schema upgrades.

SQLite (a file under var/) is the default so a fresh checkout works with nothing to install;
PostgreSQL is used when DATABASE_URL says so. The schema is only ever changed by Alembic
migrations, run in code so no alembic.ini has to be kept next to the deployment.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.future import create_engine

from bot import paths

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_WRITE = "beu_write"  # execution option: this transaction will write (SQLite: BEGIN IMMEDIATE)
DEFAULT_WAIT_SECONDS = 2.0
STATEMENT_FACTOR = 5  # PostgreSQL statement_timeout = this many lock waits
# PostgreSQL: read-only transaction, lock timeout, statement timeout, admin shutdown, cannot connect
PG_UNAVAILABLE_CODES = {"25006", "55P03", "57014", "57P01", "57P03", "08000", "08001", "08006"}


def database_url() -> str:
    """DATABASE_URL if set (Heroku-style postgres:// accepted), else the SQLite file in var/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{paths.STAFF_DB}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def _json_dumps(value: object) -> str:
    # Non-ASCII kept readable in the database (Azerbaijani names, quotes), not \u-escaped.
    return json.dumps(value, ensure_ascii=False)


def wait_seconds() -> float:
    """How long one statement may wait for a lock (STAFF_DB_WAIT_SECONDS, default 2).

    Short on purpose: a locked staff database must cost a student or a staff member a couple of
    seconds and a clear "busy", never a 30 s stall (the caller queues or says so instead).
    """
    raw = os.environ.get("STAFF_DB_WAIT_SECONDS", "").strip()
    try:
        return max(0.1, float(raw)) if raw else DEFAULT_WAIT_SECONDS
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def make_engine(url: str | None = None, wait: float | None = None) -> Engine:
    """An engine for `url` (default `database_url()`); SQLite: WAL, foreign keys, real BEGINs.

    `wait` (default `wait_seconds()`) bounds lock waits: SQLite's busy timeout, PostgreSQL's
    lock_timeout (and a statement_timeout of a few times that, for anything else that hangs).
    """
    url = url or database_url()
    wait = wait_seconds() if wait is None else wait
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args = {}
        if parsed.get_backend_name() == "postgresql":
            lock_ms, statement_ms = int(wait * 1000), int(wait * 1000 * STATEMENT_FACTOR)
            connect_args = {
                "options": f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms}",
                "connect_timeout": max(1, int(wait * STATEMENT_FACTOR)),
            }
        return create_engine(
            url,
            future=True,
            pool_pre_ping=True,
            json_serializer=_json_dumps,
            connect_args=connect_args,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, future=True, json_serializer=_json_dumps, connect_args={"timeout": wait}
    )
    _sqlite_pragmas(engine, wait)
    return engine


def store_unavailable(error: BaseException) -> bool:
    """True when `error` means "the database can't take this now" (locked, read-only, gone),
    as opposed to a bug or bad data: the caller should queue the work or say "busy, try again"."""
    if isinstance(error, OperationalError):  # SQLite locked/read-only/unopenable; PG timeouts
        return True
    if isinstance(error, DBAPIError):
        code = getattr(error.orig, "pgcode", None) or ""
        return error.connection_invalidated or code in PG_UNAVAILABLE_CODES
    return False


def _sqlite_pragmas(engine: Engine, wait: float) -> None:
    """pysqlite only BEGINs before DML, so reads would escape the transaction; take BEGIN over.

    Writers use BEGIN IMMEDIATE so two concurrent writers queue (busy timeout) instead of one
    failing when it upgrades its read lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that will write: everything inside commits together or not at all."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back naive (they were stored as UTC); make every one aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _engine(engine_or_url: Engine | str | None) -> tuple[Engine, bool]:
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    return make_engine(engine_or_url), True


def migrate(engine_or_url: Engine | str | None = None) -> str:
    """Upgrade the schema to the newest migration (a no-op when it is there); returns the head."""
    engine, owned = _engine(engine_or_url)
    try:
        with write_transaction(engine) as connection:
            command.upgrade(_alembic_config(connection), "head")
            return MigrationContext.configure(connection).get_current_revision() or ""
    finally:
        if owned:
            engine.dispose()


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
