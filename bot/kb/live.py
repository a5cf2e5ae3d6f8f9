"""The process's live knowledge base: what staff published, answered without a restart.

`bot.answers.base.knowledge()` reads `current()`. The knowledge base comes from the staff
database (bot/staff_db/knowledge.py, the admin's edits) when it holds one, else from the files
(knowledge/kb.yml and knowledge/sources/, what `make kb` validates). A daemon thread polls the
database's revision marker (one primary-key read) every POLL_SECONDS and, only when it changed,
reads the new revision, validates it and swaps the index in: a question is never kept waiting
for the database, and a published change is answered a second or so later, in the action
server, the Rasa server and the web app alike. Nothing here runs on an event loop.

A database that is locked, missing or not yet migrated keeps the last good knowledge base (the
files' at start) and is logged once, not once a second. Caches built from the knowledge base
subscribe with `on_change(callback)` (after the swap: drop or rebuild); a cache keyed by the
KnowledgeIndex object itself (the name tables of bot/understanding/mentions.py) follows by
construction, and `before_change(callback)` builds it in the polling thread before the new
index is answered from, so no question pays for it.

BEU_KB_SOURCE=files pins the files (the build, training and tests that compare with kb.yml);
the default, auto, is the database when it holds a knowledge base.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, List, Protocol

from bot.kb.index import KnowledgeIndex
from bot.kb.schema import CountryList

log = logging.getLogger(__name__)

SOURCE_ENV = "BEU_KB_SOURCE"  # files | auto
POLL_SECONDS = 1.0
Callback = Callable[[KnowledgeIndex], None]


class Store(Protocol):
    """What the live knowledge base needs of the staff database (KnowledgeRepository)."""

    def revision_marker(self) -> str | None: ...

    def current(self) -> Any: ...  # LiveKnowledge (revision, kb) or None when never seeded


@dataclass(frozen=True)
class Snapshot:
    """One loaded knowledge base: where it came from, and which database revision it is."""

    index: KnowledgeIndex
    origin: str  # "files" | "database"
    revision: int | None = None
    marker: str | None = None  # the database's revision marker when it was read


class LiveKnowledge:
    """The current KnowledgeIndex of one process, kept up to date from `store` (if any)."""

    def __init__(
        self,
        load_files: Callable[[], KnowledgeIndex],
        store: Store | None,
        countries: Callable[[], CountryList],
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._load_files = load_files
        self.store = store
        self._countries = countries
        self.poll_seconds = poll_seconds
        self._snapshot: Snapshot | None = None
        self._loading = threading.Lock()
        self._checking = threading.Lock()
        self._callbacks: List[Callback] = []
        self._preparers: List[Callback] = []
        self._stopped = threading.Event()
        self._poller: threading.Thread | None = None
        self._failing = False
        self.reloads = 0

    # -- reading -------------------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        """The current snapshot, loading it first if this is the process's first question."""
        snapshot = self._snapshot
        if snapshot is None:
            with self._loading:
                if self._snapshot is None:
                    self._snapshot = self._first_load()
                    self._start_polling()
                snapshot = self._snapshot
        return snapshot

    def index(self) -> KnowledgeIndex:
        return self.snapshot.index

    def on_change(self, callback: Callback) -> None:
        """Call `callback(new_index)` (in the polling thread) after every reload."""
        self._callbacks.append(callback)

    # -- loading -------------------------------------------------------------------------------

    def _first_load(self) -> Snapshot:
        if self.store is not None:
            try:
                snapshot = self._read_store()
            except Exception as error:  # locked, missing, not migrated: the files meanwhile
                self._failed(error)
            else:
                if snapshot is not None:
                    log.info("knowledge base: database revision %s", snapshot.revision)
                    return snapshot
        return Snapshot(self._load_files(), "files")

    def _read_store(self, marker: str | None = None) -> Snapshot | None:
        """The store's knowledge base, None when it holds none. The marker is read before the
        document, so a write landing in between costs one more reload, never a missed one."""
        assert self.store is not None
        if marker is None:
            marker = self.store.revision_marker()
        live = self.store.current()
        if live is None:
            return None
        index = KnowledgeIndex(live.kb, self._countries())
        return Snapshot(index, "database", live.revision, marker)

    def check(self) -> bool:
        """One poll: reload if the database's marker moved. True when a new knowledge base was
        installed. A failure keeps the current one (logged once until it recovers)."""
        if self.store is None or self._snapshot is None:
            return False
        with self._checking:
            current = self._snapshot
            try:
                marker = self.store.revision_marker()
                if marker is None or marker == current.marker:
                    self._recovered()
                    return False
                snapshot = self._read_store(marker)
            except Exception as error:
                self._failed(error)
                return False
            self._recovered()
            if snapshot is None:
                return False
            self._prepare(snapshot.index)
            self._snapshot = snapshot
            self.reloads += 1
            log.info(
                "knowledge base reloaded: database revision %s (marker %s)",
                snapshot.revision,
                marker,
            )
        self._notify(snapshot.index)
        return True

    def before_change(self, callback: Callback) -> None:
        """Call `callback(new_index)` (in the polling thread) before the new knowledge base is
        answered from: caches keyed by the index are built here, not on a student's question."""
        self._preparers.append(callback)

    def _prepare(self, index: KnowledgeIndex) -> None:
        for name in ("country_names", "project_names", "organisation_names", "scholarship_names"):
            getattr(index, name)  # the name tables every answer resolves with
        for callback in list(self._preparers):
            try:
                callback(index)
            except Exception:
                log.exception("knowledge base change: preparing %r failed", callback)

    def _notify(self, index: KnowledgeIndex) -> None:
        for callback in list(self._callbacks):
            try:
                callback(index)
            except Exception:  # one broken cache must not stop the others following
                log.exception("knowledge base change: %r failed", callback)

    def _failed(self, error: BaseException) -> None:
        if not self._failing:
            self._failing = True
            log.warning(
                "knowledge base: the staff database can't be read (%s); answering from the last "
                "good knowledge base until it can",
                error,
            )

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("knowledge base: the staff database can be read again")

    # -- polling -------------------------------------------------------------------------------

    def _start_polling(self) -> None:
        if self.store is None or self._poller is not None:
            return
        self._poller = threading.Thread(target=self._poll, name="kb-live", daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._stopped.wait(self.poll_seconds):
            self.check()

    def stop(self) -> None:
        self._stopped.set()
        if self._poller is not None and self._poller is not threading.current_thread():
            self._poller.join(timeout=5)

    def wait_for(self, predicate: Callable[[Snapshot], bool], timeout: float) -> Snapshot:
        """Poll now and again until `predicate(snapshot)` holds (tests, tools); raises
        TimeoutError with the last snapshot otherwise."""
        deadline = time.monotonic() + timeout
        while not predicate(self.snapshot):
            if time.monotonic() > deadline:
                raise TimeoutError(f"knowledge base still at {self.snapshot}")
            self.check()
            time.sleep(0.02)
        return self.snapshot


# -- the process's instance -------------------------------------------------------------------

_lock = threading.Lock()
_live: LiveKnowledge | None = None
_callbacks: List[Callback] = []
_preparers: List[Callback] = []


def source_setting() -> str:
    value = os.environ.get(SOURCE_ENV, "auto").strip().lower() or "auto"
    if value not in ("files", "auto"):
        raise ValueError(f"{SOURCE_ENV} must be 'files' or 'auto', not {value!r}")
    return value


def database_to_read() -> str | None:
    """The staff database's URL, None when there is none to read: BEU_KB_SOURCE=files, or a
    SQLite file that doesn't exist (never created here: `python -m bot kb` in a fresh clone)."""
    if source_setting() == "files":
        return None
    from sqlalchemy.engine import make_url

    from bot.staff_db.db import database_url

    url = database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or not Path(database).is_file():
            return None
    return url


def _database_store() -> Store | None:
    """The staff database's knowledge, on the FAQ's connection pool (one per process)."""
    if database_to_read() is None:
        return None
    from bot.faq.service import staff_engine
    from bot.staff_db.knowledge import KnowledgeRepository

    return KnowledgeRepository(staff_engine(), _countries())


def _files() -> KnowledgeIndex:
    from bot.kb.load import load_kb

    countries = _countries()
    return KnowledgeIndex(load_kb(countries=countries), countries)


@lru_cache(maxsize=1)
def _countries() -> CountryList:
    """The reference list of countries: read once (it is not staff-edited)."""
    from bot.kb.load import load_countries

    return load_countries()


def live() -> LiveKnowledge:
    """This process's live knowledge base (created on first use)."""
    global _live
    if _live is None:
        with _lock:
            if _live is None:
                created = LiveKnowledge(_files, _database_store(), _countries)
                for callback in _callbacks:
                    created.on_change(callback)
                for callback in _preparers:
                    created.before_change(callback)
                _live = created
    return _live


def current() -> KnowledgeIndex:
    """The knowledge base to answer from, now."""
    return live().index()


def loaded() -> KnowledgeIndex | None:
    """The live knowledge base if this process has loaded one, else None (loading nothing: a
    tool such as the database bootstrap must not start polling)."""
    current = _live
    snapshot = current._snapshot if current is not None else None
    return snapshot.index if snapshot is not None else None


def on_change(callback: Callback) -> Callback:
    """Register a cache to refresh (or drop) after every reload; usable as a decorator."""
    with _lock:
        _callbacks.append(callback)
        if _live is not None:
            _live.on_change(callback)
    return callback


def before_change(callback: Callback) -> Callback:
    """Register a cache keyed by the KnowledgeIndex to build for a new knowledge base before it
    is answered from (in the polling thread); usable as a decorator."""
    with _lock:
        _preparers.append(callback)
        if _live is not None:
            _live.before_change(callback)
    return callback


def reset() -> LiveKnowledge:
    """Start again from the settings as they are now (DATABASE_URL, BEU_KB_SOURCE): for tests and
    tools that set them after this process's first question. Caches are told of the new index."""
    global _live
    with _lock:
        previous, _live = _live, None
    if previous is not None:
        previous.stop()
    created = live()
    index = created.index()
    for callback in [*_preparers, *_callbacks]:
        try:
            callback(index)
        except Exception:
            log.exception("knowledge base reset: %r failed", callback)
    return created
