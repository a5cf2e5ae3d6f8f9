"""The action server's writes to the staff database (unanswered questions, handoffs, students'
👍/👎 and comments), queued so a locked or read-only database never loses them and never stalls
a student.

Why a queue and a file: an unanswered question or a handoff arrives while the database may be
write-locked (an admin bulk import, a backup, a stuck transaction) or read-only (a full disk, a
failed-over replica). The action must answer at once, so it only *puts* the write here:

- `put` appends the write to an append-only JSONL spill file (flushed; it survives a crash or a
  restart of the action server) and to a bounded in-memory queue, and returns at once;
- one worker thread stores the queue in order; while the database refuses (store_unavailable),
  it retries with back-off (0.5 s doubling to 10 s) and nothing behind it is lost or reordered;
- a stored write gets a "done" line; on start the file is replayed (writes without "done" are
  queued again) and compacted; once the queue is empty the file is removed;
- each write carries a record key stored with the row (a unique column), so a write replayed
  after a crash between storing and the "done" line is stored once, not twice;
- when the queue is full (`capacity`), `put` refuses: the caller says so to the student (a
  handoff) and the refusal is logged as an error and counted. A spill file that can't be
  written is logged as an error too, and the write is kept in memory only (safe from a locked
  database, not from a restart).

The spill file holds raw sender ids until the write is stored (the database only ever gets
their salted hash), so it is created readable by its owner only.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List

from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, store_unavailable, utcnow
from bot.staff_db.inbox import Inbox

log = logging.getLogger(__name__)

KINDS = ("unanswered", "handoff", "handoff_contact", "feedback", "feedback_comment")
DEFAULT_CAPACITY = 5000
FIRST_RETRY_SECONDS = 0.5
LAST_RETRY_SECONDS = 10.0


@dataclass
class Record:
    kind: str
    data: Dict[str, Any]
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: str = field(default_factory=lambda: utcnow().isoformat())

    def line(self) -> str:
        return json.dumps(
            {"key": self.key, "kind": self.kind, "at": self.at, "data": self.data},
            ensure_ascii=False,
            default=_jsonable,
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@dataclass
class Counters:
    """What happened since start (for logs, the soak drill and tests)."""

    queued: int = 0
    stored: int = 0
    retried: int = 0  # attempts refused by a busy database
    replayed: int = 0  # writes found undone in the file at start
    refused: int = 0  # put() refused: the queue was full
    not_durable: int = 0  # queued in memory only: the spill file could not be written
    dropped: int = 0  # writes the database rejected as invalid (a bug): logged with the write


class StaffOutbox:
    """A bounded, file-backed, in-order queue of inbox writes with one background writer."""

    def __init__(
        self,
        inbox: Callable[[], Inbox],
        path: Path,
        capacity: int = DEFAULT_CAPACITY,
        first_retry: float = FIRST_RETRY_SECONDS,
        last_retry: float = LAST_RETRY_SECONDS,
    ) -> None:
        self._inbox = inbox
        self.path = Path(path)
        self.capacity = capacity
        self.first_retry = first_retry
        self.last_retry = last_retry
        self.counters = Counters()
        self._queue: Deque[Record] = deque()
        self._waiters: Dict[str, List[Callable[[int], None]]] = {}
        self._lock = threading.Condition()
        self._file_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- the caller's side -----------------------------------------------------------------

    def put(self, kind: str, data: Dict[str, Any], key: str | None = None) -> Record | None:
        """Queue a write (durably when the file can be written); None when the queue is full.

        `key`: the record key, when the caller has one that a retry of the same write repeats
        (a student message's id), so even a write put twice is stored once."""
        if kind not in KINDS:
            raise ValueError(f"unknown outbox write {kind!r}")
        record = Record(kind, data) if key is None else Record(kind, data, key)
        with self._lock:
            if len(self._queue) >= self.capacity:
                self.counters.refused += 1
                log.error(
                    "STAFF OUTBOX FULL (%d writes waiting for the staff database): refused a %s",
                    len(self._queue),
                    kind,
                )
                return None
            try:
                self._append(record.line())
            except OSError:
                # Still queued (stored in a moment when the database is fine), only not safe
                # from a restart: refusing it would lose it for sure.
                self.counters.not_durable += 1
                log.exception(
                    "STAFF OUTBOX: could not write %s; a %s is kept in memory only", self.path, kind
                )
            self._queue.append(record)
            self.counters.queued += 1
            self._lock.notify_all()
        self.start()
        return record

    async def put_and_wait(
        self, kind: str, data: Dict[str, Any], wait: float, key: str | None = None
    ) -> tuple[Record | None, int | None]:
        """Queue a write and wait up to `wait` seconds for it to be stored.

        (record, row id) when stored in time; (record, None) when it is queued and will be
        stored later; (None, None) when the queue was full; (record, 0) when the database
        rejected it (not the student's handoff, invalid data).
        """
        loop = asyncio.get_running_loop()
        stored: asyncio.Future[int] = loop.create_future()

        def resolve(row_id: int) -> None:
            def set_result() -> None:
                if not stored.done():
                    stored.set_result(row_id)

            with contextlib.suppress(RuntimeError):  # the loop is gone (a test's own loop)
                loop.call_soon_threadsafe(set_result)

        with self._lock:  # registered before the worker can see the record
            record = self.put(kind, data, key)
            if record is None:
                return None, None
            self._waiters.setdefault(record.key, []).append(resolve)
        try:
            return record, await asyncio.wait_for(asyncio.shield(stored), wait)
        except asyncio.TimeoutError:
            return record, None

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def drain(self, timeout: float) -> bool:
        """Wait until every queued write is stored; False after `timeout` seconds."""
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            with self._lock:
                while self._queue and not deadline.is_set():
                    self._lock.wait(0.05)
                return not self._queue
        finally:
            timer.cancel()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Replay the spill file (once) and start the writer thread."""
        with self._lock:
            if self._thread is not None:
                return
            self._replay()
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="staff-outbox", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the writer (what is still queued stays in the file for the next start)."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    # -- the writer ------------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.first_retry
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                record = self._queue[0]
            try:
                row_id = self._store(record)
            except Exception as error:
                if store_unavailable(error):
                    self.counters.retried += 1
                    log.warning(
                        "staff database unavailable (%s); %d write(s) queued, retrying in %.1f s",
                        type(error).__name__,
                        self.pending(),
                        delay,
                    )
                    with self._lock:
                        if not self._stopping:
                            self._lock.wait(delay)
                    delay = min(self.last_retry, delay * 2)
                    continue
                self.counters.dropped += 1
                log.exception("STAFF OUTBOX: the database rejected a write, dropped: %s", record)
                row_id = None
            delay = self.first_retry
            self._finish(record, row_id)

    def _finish(self, record: Record, row_id: int | None) -> None:
        with self._lock:
            if self._queue and self._queue[0] is record:
                self._queue.popleft()
            if row_id is not None:
                self.counters.stored += 1
            try:
                if self._queue:
                    self._append(json.dumps({"done": record.key}))
                else:
                    self._remove()
            except OSError:
                log.exception("STAFF OUTBOX: could not mark a write done in %s", self.path)
            waiters = self._waiters.pop(record.key, [])
            self._lock.notify_all()
        for resolve in waiters:
            resolve(row_id if row_id is not None else 0)  # 0: finished, nothing stored

    def _store(self, record: Record) -> int | None:
        inbox = self._inbox()
        data, at = record.data, as_utc(dt.datetime.fromisoformat(record.at))
        if record.kind == "unanswered":
            return inbox.record_unanswered(
                data["text"],
                data["channel"],
                data.get("intent"),
                data.get("confidence"),
                data["sender"],
                record_key=record.key,
                at=at,
                language=data.get("language"),
            )
        if record.kind in ("feedback", "feedback_comment"):
            return self._store_feedback(inbox, record, at)
        if record.kind == "handoff":
            return inbox.record_handoff(
                data["sender"], data["channel"], data["transcript"], record_key=record.key, at=at
            )
        handoff_id = data.get("handoff_id")
        if handoff_id is None:
            handoff_id = inbox.id_for_key(t.handoffs, data["handoff_key"])
        if handoff_id is None:
            raise LookupError(f"the handoff {data['handoff_key']} was never stored")
        added = inbox.add_to_handoff(int(handoff_id), data["sender"], data["text"], at=at)
        return int(handoff_id) if added else None

    @staticmethod
    def _store_feedback(inbox: Inbox, record: Record, at: dt.datetime) -> int | None:
        from bot.staff_db.feedback import FeedbackRepository

        repository, data = FeedbackRepository(inbox), record.data
        if record.kind == "feedback_comment":
            added = repository.add_comment(data["feedback_key"], data["sender"], data["text"])
            return repository.id_for_key(data["feedback_key"]) if added else None
        return repository.record(
            data["value"],
            data["sender"],
            record_key=record.key,
            question=data.get("question"),
            facts=data.get("facts") or [],
            faq_entries=data.get("faq_entries") or [],
            topic=data.get("topic"),
            intent=data.get("intent"),
            language=data.get("language"),
            channel=data.get("channel"),
            at=at,
        )

    # -- the file --------------------------------------------------------------------------

    def _append(self, line: str) -> None:
        with self._file_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as spill:
                spill.write(line + "\n")
                spill.flush()

    def _remove(self) -> None:
        """Everything is stored: no file is left behind (the next write creates it again)."""
        with self._file_lock:
            self.path.unlink(missing_ok=True)

    def _replay(self) -> None:
        """Queue again what the file holds without a "done" line, and compact the file."""
        if not self.path.is_file():
            return
        undone: Dict[str, Record] = {}
        try:
            with self._file_lock:
                lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            log.exception("STAFF OUTBOX: could not read %s; nothing replayed", self.path)
            return
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
                if "done" in entry:
                    undone.pop(entry["done"], None)
                else:
                    undone[entry["key"]] = Record(
                        entry["kind"], entry["data"], entry["key"], entry["at"]
                    )
            except (ValueError, KeyError, TypeError):
                # a line cut short by a crash mid-write: that write was never acknowledged
                log.error("STAFF OUTBOX: unreadable line %d of %s skipped", number, self.path)
        records = list(undone.values())
        compacted = self.path.with_suffix(".tmp")
        try:
            with self._file_lock:
                descriptor = os.open(compacted, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as spill:
                    spill.writelines(record.line() + "\n" for record in records)
                os.replace(compacted, self.path)
        except OSError:  # the file stays as it was: replayed again, stored once (record keys)
            log.exception("STAFF OUTBOX: could not compact %s", self.path)
        known = {record.key for record in self._queue}  # still queued here (a stop, then start)
        records = [record for record in records if record.key not in known]
        self._queue.extend(records)
        self.counters.replayed += len(records)
        if records:
            log.warning("staff outbox: replaying %d write(s) from %s", len(records), self.path)
