"""What every admin handler works with: the store classes of one database, and the few steps
that combine them (publishing an entry also closes the inbox questions it was written for).

Screens and the JSON API both go through here, so a rule holds the same way on either path.
The store is synchronous (SQLAlchemy Core, bcrypt), so handlers call it through `run_sync`,
in a worker thread, and the event loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import paths
from bot.staff_db import tables as t
from bot.staff_db.db import write_transaction
from bot.staff_db.faq import FaqEntry, FaqRepository
from bot.staff_db.inbox import Inbox
from bot.staff_db.knowledge import KnowledgeRepository
from bot.staff_db.users import Users
from bot.staff_db.validation import FaqDraft

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_BOT_REST_URL = "http://localhost:5005/webhooks/rest/webhook"
PENDING_PREFIX = "inbox_pending:"  # settings key: inbox ids an unpublished entry will answer


@dataclass
class AdminSettings:
    """Knobs of the admin; `from_env` reads the deployment's environment."""

    bot_rest_url: str = DEFAULT_BOT_REST_URL
    secret_key: str | None = None  # None: ADMIN_SECRET_KEY, else one stored in the database
    session_hours: float = 8.0
    bcrypt_rounds: int = 12  # cost of the dummy hash for unknown usernames
    preview_timeout_seconds: float = 20.0
    # How long an inbox view waits for the sentence encoder before grouping by exact text.
    grouping_wait_seconds: float = 5.0
    seed_file: Path | None = field(default_factory=lambda: paths.KNOWLEDGE / "faq.yml")
    # The tracker store (conversations) the review reads (bot/web/admin/review.py) and the
    # analytics read new conversations from before a view (bot/web/admin/analytics_refresh.py).
    # None: the review reads the one `python -m bot retention` finds (endpoints.yml, else
    # var/tracker.sqlite3) and the analytics show what `python -m bot analytics` last read.
    tracker_url: str | None = None
    # At most one refresh per this many seconds (ANALYTICS_REFRESH_SECONDS). A refresh with
    # nothing new costs a few indexed queries, so this only spares a busy page's reloads.
    analytics_refresh_seconds: float = 1.0
    # The same report asked again within this many seconds, with no new conversations read,
    # is not built again (bot/web/admin/analytics_cache.py).
    analytics_cache_seconds: float = 30.0

    @classmethod
    def from_env(cls) -> AdminSettings:
        return cls(
            bot_rest_url=os.environ.get("BOT_REST_URL", "").strip() or DEFAULT_BOT_REST_URL,
            secret_key=os.environ.get("ADMIN_SECRET_KEY") or None,
            tracker_url=(
                os.environ.get("TRACKER_DB_URL") or os.environ.get("TRACKER_STORE_URL") or None
            ),
            analytics_refresh_seconds=float(os.environ.get("ANALYTICS_REFRESH_SECONDS") or 1.0),
        )


async def run_sync(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store call in the default thread pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))


class Admin:
    """The admin's view of one database. Thread-safe: it holds only the engine and settings."""

    def __init__(self, engine: Engine, settings: AdminSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.faq = FaqRepository(engine)
        self.inbox = Inbox(engine)
        self.knowledge = KnowledgeRepository(engine)
        self.users = Users(engine, rounds=settings.bcrypt_rounds)
        self._tracker: Engine | None = None

    def tracker_url(self) -> str:
        """The tracker store the review and the analytics read: the setting, else the one
        `python -m bot retention` finds (endpoints.yml, else var/tracker.sqlite3)."""
        from bot.ops.retention import tracker_db_url

        return self.settings.tracker_url or tracker_db_url(paths.ROOT / "endpoints.yml")

    def tracker(self) -> Engine:
        """The tracker store's database (conversations), connected on first use."""
        if self._tracker is None:
            from sqlalchemy import create_engine

            self._tracker = create_engine(self.tracker_url(), pool_pre_ping=True)
        return self._tracker

    # -- settings rows ---------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        statement = select(t.settings.c.value).where(t.settings.c.key == key)
        with self.engine.connect() as connection:
            return connection.execute(statement).scalar()

    def set_setting(self, key: str, value: str) -> None:
        table = t.settings
        with write_transaction(self.engine) as connection:
            changed = connection.execute(
                update(table).where(table.c.key == key).values(value=value)
            ).rowcount
            if not changed:
                connection.execute(insert(table).values(key=key, value=value))

    def setting_once(self, key: str, make: Callable[[], str]) -> str:
        """The stored value of `key`, created with `make()` the first time (first writer wins)."""
        value = self.setting(key)
        if value:
            return value
        try:
            with write_transaction(self.engine) as connection:
                value = make()
                connection.execute(insert(t.settings).values(key=key, value=value))
                return value
        except IntegrityError:  # another process stored one first: use theirs
            return self.setting(key) or ""

    # -- FAQ entries and the inbox questions they answer -----------------------------------

    def create_entry(self, draft: FaqDraft, who: str, inbox_ids: Iterable[int] = ()) -> FaqEntry:
        """A new entry (published if `draft.state` says so) answering the given inbox questions.

        A published entry closes them now; a draft remembers them and closes them when it is
        published, whenever and by whichever screen that happens.
        """
        ids = sorted({int(i) for i in inbox_ids})
        entry = self.faq.create(draft, who)
        if ids:
            self.set_setting(PENDING_PREFIX + str(entry.id), json.dumps(ids))
        return self.settle_inbox(entry, who)

    def update_entry(self, entry_id: int, draft: FaqDraft, version: int, who: str) -> FaqEntry:
        return self.settle_inbox(self.faq.update(entry_id, draft, version, who), who)

    def publish(self, entry_id: int, who: str, version: int | None = None) -> FaqEntry:
        return self.settle_inbox(self.faq.publish(entry_id, who, version), who)

    def unpublish(self, entry_id: int, who: str, version: int | None = None) -> FaqEntry:
        return self.faq.unpublish(entry_id, who, version)

    def rollback(self, entry_id: int, to_version: int, version: int, who: str) -> FaqEntry:
        return self.settle_inbox(self.faq.rollback(entry_id, to_version, who, version), who)

    def pending_inbox_ids(self, entry_id: int) -> list[int]:
        value = self.setting(PENDING_PREFIX + str(entry_id))
        return [int(i) for i in json.loads(value)] if value else []

    def settle_inbox(self, entry: FaqEntry, who: str) -> FaqEntry:
        """When `entry` is live, the inbox questions it was written for are answered."""
        if entry.state != "published":
            return entry
        ids = self.pending_inbox_ids(entry.id)
        if ids:
            self.inbox.mark_answered(ids, entry.id, who)
            with write_transaction(self.engine) as connection:
                key = PENDING_PREFIX + str(entry.id)
                connection.execute(delete(t.settings).where(t.settings.c.key == key))
        return entry


def jsonable_draft(draft: FaqDraft) -> dict[str, Any]:
    """A draft (what someone tried to save) as JSON: dates as ISO text, anything else as is."""
    data: dict[str, Any] = {}
    for name, value in vars(draft).items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        data[name] = value
    return data
