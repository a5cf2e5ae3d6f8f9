"""Data retention for conversations (GDPR): delete conversations nobody has used for a while.

`delete_conversations_older_than(store, days)` deletes every event of each conversation whose
*last* event is older than `days` days, in Rasa's SQL tracker store (table `events`, one row per
event, keyed by `sender_id`, `timestamp` in Unix seconds). A conversation still in use keeps all
of its history: conversations are never cut in half.

    python -m bot retention [--days N] [--dry-run] [--url URL]

The retention period is --days, else RETENTION_DAYS, else 180 days. The database is --url, else
TRACKER_DB_URL, else TRACKER_STORE_URL (the profiles' tracker store), else the `tracker_store` of
endpoints.yml when it is an SQL store, else
sqlite:///var/tracker.sqlite3. Run it daily (cron, a systemd timer); it is safe to run while Rasa
serves: each batch re-checks, inside its transaction, that the conversation is still idle.

On SQLite, deleted rows are overwritten (PRAGMA secure_delete), so the text does not linger in
free pages of the file. On PostgreSQL, deleted rows disappear from disk at the next (auto)VACUUM.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

DEFAULT_RETENTION_DAYS = 180
DEFAULT_TRACKER_DB_URL = "sqlite:///var/tracker.sqlite3"
BATCH = 500  # conversations per transaction (bounded IN lists and lock times)

_metadata = sa.MetaData()
# The columns of Rasa's SQLTrackerStore.SQLEvent this module needs.
EVENTS = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("timestamp", sa.Float),
)


def retention_days() -> float:
    raw = os.environ.get("RETENTION_DAYS", "").strip()
    return float(raw) if raw else DEFAULT_RETENTION_DAYS


def tracker_db_url(endpoints: str | Path = "endpoints.yml") -> str:
    """TRACKER_DB_URL, else TRACKER_STORE_URL (what endpoints.yml's store reads), else
    endpoints.yml's SQL tracker store, else var/tracker.sqlite3."""
    for variable in ("TRACKER_DB_URL", "TRACKER_STORE_URL"):
        if os.environ.get(variable):
            return os.environ[variable]
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is not None and str(config.type or "").lower() == "sql":
        from rasa.core.tracker_store import SQLTrackerStore

        kwargs = config.kwargs
        url = SQLTrackerStore.get_db_url(
            kwargs.get("dialect", "sqlite"),
            config.url,
            kwargs.get("port"),
            kwargs.get("db", "rasa.db"),
            kwargs.get("username"),
            kwargs.get("password"),
            kwargs.get("login_db"),
            kwargs.get("query"),
        )
        return url if isinstance(url, str) else url.render_as_string(hide_password=False)
    return DEFAULT_TRACKER_DB_URL


def _engine(store: Any) -> tuple[Engine, bool]:
    """(engine, whether we created it and must dispose of it) for a URL, engine or store."""
    if isinstance(store, Engine):
        return store, False
    if hasattr(store, "engine"):  # a rasa SQLTrackerStore
        return store.engine, False
    return sa.create_engine(str(store)), True


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def expired_conversations(
    engine: Engine, cutoff: float, read_up_to: int | None = None
) -> list[str]:
    """Sender ids whose newest event is older than `cutoff` (Unix seconds), and (with
    `read_up_to`) whose every event the analytics aggregate has read."""
    if not sa.inspect(engine).has_table("events"):
        return []
    idle = sa.func.max(EVENTS.c.timestamp) < cutoff
    if read_up_to is not None:
        idle = sa.and_(idle, sa.func.max(EVENTS.c.id) <= read_up_to)
    query = sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(idle)
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query)]


def delete_conversations_older_than(
    tracker_store_url_or_engine: Any,
    days: float,
    *,
    dry_run: bool = False,
    now: float | None = None,
    read_up_to: int | None = None,
) -> int:
    """Delete every event of the conversations last active more than `days` days ago.

    Accepts a database URL, an SQLAlchemy engine or a rasa SQLTrackerStore. Returns how many
    conversations were deleted (with dry_run: how many would be; nothing is changed).
    `read_up_to`: the analytics watermark; a conversation with a later event is kept until the
    aggregate has read it, so deleting never loses its counts.
    """
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    engine, owned = _engine(tracker_store_url_or_engine)
    try:
        cutoff = (time.time() if now is None else now) - days * 86400
        expired = expired_conversations(engine, cutoff, read_up_to)
        if dry_run:
            return len(expired)
        deleted = 0
        for chunk in _chunks(expired, BATCH):
            with engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA secure_delete = ON")
                still_active = sa.select(EVENTS.c.sender_id).where(
                    EVENTS.c.sender_id.in_(chunk), EVENTS.c.timestamp >= cutoff
                )
                active = {row[0] for row in connection.execute(still_active)}
                gone = [sender for sender in chunk if sender not in active]
                if gone:
                    connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(gone)))
                    deleted += len(gone)
        return deleted
    finally:
        if owned:
            engine.dispose()


def _describe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the tracker store"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot retention",
        description="Delete conversations whose last message is older than the retention period.",
    )
    parser.add_argument(
        "--days",
        type=float,
        default=None,
        help=f"retention period in days (default: RETENTION_DAYS or {DEFAULT_RETENTION_DAYS})",
    )
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    parser.add_argument("--url", help="tracker store database URL (default: TRACKER_DB_URL, ...)")
    parser.add_argument("--endpoints", default="endpoints.yml", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        days = retention_days() if args.days is None else args.days
    except ValueError:
        print("RETENTION_DAYS must be a number of days", file=sys.stderr)
        return 2
    if days < 0:
        print("the retention period cannot be negative", file=sys.stderr)
        return 2
    url = args.url or tracker_db_url(args.endpoints)
    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if database not in (None, "", ":memory:") and not Path(database).exists():
        print(f"no tracker store at {database}: nothing to delete")
        return 0
    read_up_to = None
    if not args.dry_run:  # the aggregate reads them first, so their counts outlive them
        from bot.analytics.aggregate import SourceChanged, refresh_before_retention

        try:
            read_up_to = refresh_before_retention(url)
        except SourceChanged as error:  # another store's aggregate: its counts can't be kept
            print(f"warning: {error}; deleting without counting", file=sys.stderr)
    count = delete_conversations_older_than(url, days, dry_run=args.dry_run, read_up_to=read_up_to)
    if read_up_to is not None and count:  # SQLite gives the newest ids again: read them then
        from bot.analytics.aggregate import after_deleting

        after_deleting(url)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {count} conversation(s) idle for more than {days:g} days in {_describe(url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
