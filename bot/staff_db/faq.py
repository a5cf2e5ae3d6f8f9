"""FAQ entries staff write and the bot serves, with a full revision history.

Every write is one transaction that updates the entry, appends its revision and bumps a global
counter, so a crash leaves either the old answer or the new one, never a half, and a retrieval
index in another process can tell cheaply (`revision_marker`) whether it must reload.
Concurrent editors are caught by optimistic locking: a write names the version it was based on.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Tuple

from sqlalchemy import Integer, String, cast, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError

from bot.kb.provenance import iter_cited
from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, utcnow, write_transaction
from bot.staff_db.errors import NotFoundError
from bot.staff_db.validation import FaqDraft, ValidationError, normalise_question, validate

if TYPE_CHECKING:
    from bot.staff_db.faq_yaml import ImportReport

__all__ = [
    "ConflictError",
    "FaqDraft",
    "FaqEntry",
    "FaqRepository",
    "NotFoundError",
    "Revision",
]
REVIEW_AFTER = dt.timedelta(days=365)  # review_by when staff leave it empty
CONTENT_FIELDS = (
    "question",
    "phrasings",
    "answer",
    "tags",
    "fact_ref",
    "source_url",
    "owner",
    "as_of",
    "review_by",
    "translations",
)


@dataclass(frozen=True)
class FaqEntry:
    """One stored entry, as of its `version`."""

    id: int
    question: str
    phrasings: Tuple[str, ...]
    answer: str
    tags: Tuple[str, ...]
    fact_ref: str | None
    source_url: str | None
    owner: str
    as_of: dt.date
    review_by: dt.date
    state: str
    version: int
    updated_at: dt.datetime
    updated_by: str
    translations: Dict[str, Dict[str, Any]] = dataclasses.field(default_factory=dict)

    def version_in(self, language: str) -> Dict[str, Any] | None:
        """The entry's version in `language` (question, phrasings, answer), if staff wrote one."""
        return self.translations.get(language)

    def draft(self) -> FaqDraft:
        """The entry's content as an editable draft (what a form would start from)."""
        return FaqDraft(
            question=self.question,
            answer=self.answer,
            phrasings=list(self.phrasings),
            tags=list(self.tags),
            fact_ref=self.fact_ref,
            source_url=self.source_url,
            owner=self.owner,
            as_of=self.as_of,
            review_by=self.review_by,
            state=self.state,
            translations=copy.deepcopy(self.translations),
        )

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready: the revision snapshot, and what an admin API can return as is."""
        data = dataclasses.asdict(self)
        data.update(
            phrasings=list(self.phrasings),
            tags=list(self.tags),
            as_of=self.as_of.isoformat(),
            review_by=self.review_by.isoformat(),
            updated_at=self.updated_at.isoformat(),
        )
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> FaqEntry:
        return cls(
            **{
                **data,
                "phrasings": tuple(data["phrasings"]),
                "tags": tuple(data["tags"]),
                "as_of": dt.date.fromisoformat(data["as_of"]),
                "review_by": dt.date.fromisoformat(data["review_by"]),
                "updated_at": dt.datetime.fromisoformat(data["updated_at"]),
                "translations": data.get("translations") or {},  # snapshots before 0003
            }
        )


@dataclass(frozen=True)
class Revision:
    """One change of an entry: the entry as it was right after it."""

    entry_id: int
    version: int
    action: str  # create | edit | publish | unpublish | rollback | import
    snapshot: Dict[str, Any]
    who: str
    at: dt.datetime

    def entry(self) -> FaqEntry:
        return FaqEntry.from_dict(self.snapshot)


class ConflictError(Exception):
    """Someone else changed the entry since the caller read it; nothing was written.

    Carries both sides so the admin can show "theirs" next to "yours" and let staff merge.
    """

    def __init__(self, current: FaqEntry, attempted: FaqDraft, expected_version: int) -> None:
        self.current = current
        self.attempted = attempted
        self.expected_version = expected_version
        super().__init__(
            f"entry {current.id} is at version {current.version}, "
            f"not {expected_version}: reload and apply your change again"
        )


def content(draft: FaqDraft | FaqEntry) -> Dict[str, Any]:
    """The fields staff author (not state, version or timestamps), in a comparable form."""
    data = {name: getattr(draft, name) for name in CONTENT_FIELDS}
    data["phrasings"] = list(data["phrasings"])
    data["tags"] = list(data["tags"])
    return data


def content_hash(draft: FaqDraft | FaqEntry) -> str:
    """Fingerprint of content + state, to tell whether an import would change anything."""
    data = {**content(draft), "state": draft.state}
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare(draft: FaqDraft, today: dt.date) -> FaqDraft:
    """Trim the texts and fill the dates staff may leave empty; leaves wrong types for validate."""

    def trim(value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    def trim_all(values: Any) -> Any:
        if isinstance(values, (list, tuple)):
            return [trim(v) for v in values]
        return values

    as_of = draft.as_of if draft.as_of is not None else today
    review_by = draft.review_by
    if review_by is None and isinstance(as_of, dt.date):
        review_by = as_of + REVIEW_AFTER
    return FaqDraft(
        question=trim(draft.question),
        answer=trim(draft.answer),
        phrasings=trim_all(draft.phrasings),
        tags=trim_all(draft.tags),
        fact_ref=trim(draft.fact_ref) or None,
        source_url=trim(draft.source_url) or None,
        owner=trim(draft.owner),
        as_of=as_of,
        review_by=review_by,
        state=trim(draft.state),
        translations=_trim_translations(draft.translations, trim, trim_all),
    )


def _non_empty(values: Any) -> Any:
    return [v for v in values if v != ""] if isinstance(values, list) else values


def _trim_translations(translations: Any, trim: Any, trim_all: Any) -> Any:
    """Versions trimmed; a version left with no text at all (an empty form section) dropped."""
    if not isinstance(translations, dict):
        return translations
    kept = {}
    for language, version in translations.items():
        if not isinstance(version, dict):
            kept[language] = version
            continue
        version = {
            "question": trim(version.get("question", "")),
            "phrasings": _non_empty(trim_all(version.get("phrasings", []))),
            "answer": trim(version.get("answer", "")),
            **{k: v for k, v in version.items() if k not in ("question", "phrasings", "answer")},
        }
        if version["question"] or version["answer"] or version["phrasings"]:
            kept[language] = version
    return kept


def _entry(row: Row) -> FaqEntry:
    return FaqEntry(
        id=row.id,
        question=row.question,
        phrasings=tuple(row.phrasings),
        answer=row.answer,
        tags=tuple(row.tags),
        fact_ref=row.fact_ref,
        source_url=row.source_url,
        owner=row.owner,
        as_of=row.as_of,
        review_by=row.review_by,
        state=row.state,
        version=row.version,
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by,
        translations=dict(row.translations or {}),
    )


def _values(draft: FaqDraft) -> Dict[str, Any]:
    return {
        **content(draft),
        "question_key": normalise_question(draft.question),
        "state": draft.state,
    }


def _insert_revision(connection: Connection, entry: FaqEntry, action: str, who: str) -> None:
    """Append the snapshot of `entry` right after `action` (same transaction as the change)."""
    connection.execute(
        insert(t.faq_revisions).values(
            entry_id=entry.id,
            version=entry.version,
            action=action,
            snapshot=entry.to_dict(),
            who=who,
            at=entry.updated_at,
        )
    )


def _bump_marker(connection: Connection) -> None:
    """Advance the global FAQ counter; its row lock also orders concurrent writers' commits."""
    value = t.settings.c.value
    result = connection.execute(
        update(t.settings)
        .where(t.settings.c.key == t.FAQ_MARKER_KEY)
        .values(value=cast(cast(value, Integer) + 1, String))
    )
    if result.rowcount == 0:
        connection.execute(insert(t.settings).values(key=t.FAQ_MARKER_KEY, value="1"))


def _matches(entry: FaqEntry, terms: List[str]) -> bool:
    haystack = " ".join([entry.question, *entry.phrasings, entry.answer, *entry.tags]).casefold()
    return all(term in haystack for term in terms)


class FaqRepository:
    """FAQ entries in one database. Safe to share between threads (it holds only the engine)."""

    def __init__(
        self,
        engine: Engine,
        known_fact_ids: Callable[[], Iterable[str]] | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.known_fact_ids = known_fact_ids or self._live_fact_ids
        self.clock = clock

    def _live_fact_ids(self) -> Iterable[str]:
        """An entry may cite any fact of the live knowledge base in this database (a partner
        staff added in the admin included), or of knowledge/kb.yml before it is seeded."""
        from bot.staff_db.knowledge import KnowledgeRepository
        from bot.staff_db.validation import kb_fact_ids

        live = KnowledgeRepository(self.engine).current()
        if live is None:
            return kb_fact_ids()
        return [path for path, _ in iter_cited(live.kb)]

    # -- reading ---------------------------------------------------------------------------

    def list_entries(self, query: str | None = None, state: str | None = None) -> List[FaqEntry]:
        """Entries by id; `query` words must all appear in question/phrasings/answer/tags.

        Matching happens in Python: the table holds hundreds of rows, and this way SQLite and
        PostgreSQL agree on case-folding of non-ASCII text and on searching inside JSON lists.
        """
        statement = select(t.faq_entries).order_by(t.faq_entries.c.id)
        if state is not None:
            statement = statement.where(t.faq_entries.c.state == state)
        with self.engine.connect() as connection:
            entries = [_entry(row) for row in connection.execute(statement)]
        terms = (query or "").casefold().split()
        return [e for e in entries if _matches(e, terms)] if terms else entries

    def published_entries(self) -> List[FaqEntry]:
        """What the bot may answer with."""
        return self.list_entries(state="published")

    def get(self, entry_id: int) -> FaqEntry:
        with self.engine.connect() as connection:
            return self._get(connection, entry_id)

    def find_by_question(self, question: str) -> FaqEntry | None:
        """The entry whose question is `question` up to case, spacing and final punctuation."""
        key = normalise_question(question)
        statement = select(t.faq_entries).where(t.faq_entries.c.question_key == key)
        with self.engine.connect() as connection:
            row = connection.execute(statement).first()
        return _entry(row) if row else None

    def history(self, entry_id: int) -> List[Revision]:
        """Every revision of the entry, oldest first."""
        statement = (
            select(t.faq_revisions)
            .where(t.faq_revisions.c.entry_id == entry_id)
            .order_by(t.faq_revisions.c.version)
        )
        with self.engine.connect() as connection:
            self._get(connection, entry_id)
            rows = connection.execute(statement).all()
        return [
            Revision(r.entry_id, r.version, r.action, r.snapshot, r.who, as_utc(r.at)) for r in rows
        ]

    def revision_marker(self) -> int:
        """A number that changes whenever any entry changes: one primary-key read to poll."""
        statement = select(t.settings.c.value).where(t.settings.c.key == t.FAQ_MARKER_KEY)
        with self.engine.connect() as connection:
            value = connection.execute(statement).scalar()
        return int(value or 0)

    # -- writing ---------------------------------------------------------------------------

    def create(self, draft: FaqDraft, who: str) -> FaqEntry:
        """A new entry at version 1 (a draft unless `draft.state` says otherwise)."""
        with self._writing() as connection:
            return self._create(connection, draft, who, "create")

    def update(self, entry_id: int, draft: FaqDraft, expected_version: int, who: str) -> FaqEntry:
        """Replace the entry's content; its state changes only through publish/unpublish.

        Raises ConflictError when the entry is no longer at `expected_version`. Saving the same
        content again writes nothing and returns the entry unchanged.
        """
        with self._writing() as connection:
            current = self._get(connection, entry_id)
            wanted = dataclasses.replace(draft, state=current.state)
            return self._change(connection, current, wanted, expected_version, who, "edit")

    def publish(self, entry_id: int, who: str, expected_version: int | None = None) -> FaqEntry:
        """Make the entry live. Pass the version staff reviewed, so they publish what they saw."""
        return self._set_state(entry_id, "published", who, expected_version, "publish")

    def unpublish(self, entry_id: int, who: str, expected_version: int | None = None) -> FaqEntry:
        return self._set_state(entry_id, "draft", who, expected_version, "unpublish")

    def rollback(self, entry_id: int, to_version: int, who: str, expected_version: int) -> FaqEntry:
        """A new version equal to `to_version` (content and state); history is never rewritten."""
        statement = select(t.faq_revisions.c.snapshot).where(
            t.faq_revisions.c.entry_id == entry_id, t.faq_revisions.c.version == to_version
        )
        with self._writing() as connection:
            current = self._get(connection, entry_id)
            snapshot = connection.execute(statement).scalar()
            if snapshot is None:
                raise NotFoundError(f"entry {entry_id} has no version {to_version}")
            wanted = FaqEntry.from_dict(snapshot).draft()
            return self._change(connection, current, wanted, expected_version, who, "rollback")

    def export_yaml(self, path: Path) -> int:
        from bot.staff_db.faq_yaml import export_yaml

        return export_yaml(self, path)

    def import_yaml(self, path: Path, who: str) -> ImportReport:
        from bot.staff_db.faq_yaml import import_yaml

        return import_yaml(self, path, who)

    # -- internals (also used by faq_yaml) -------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction; the database's own duplicate-question refusal (a race that
        validation could not see) comes out as the same ValidationError validation gives."""
        try:
            with write_transaction(self.engine) as connection:
                yield connection
        except IntegrityError as error:
            if "question_key" in str(error.orig):
                message = "duplicate question: another entry already asks it"
                raise ValidationError({"question": message}) from error
            raise

    def _get(self, connection: Connection, entry_id: int) -> FaqEntry:
        statement = select(t.faq_entries).where(t.faq_entries.c.id == entry_id)
        row = connection.execute(statement).first()
        if row is None:
            raise NotFoundError(f"no FAQ entry {entry_id}")
        return _entry(row)

    def _validate(self, connection: Connection, draft: FaqDraft, exclude: int | None) -> None:
        statement = select(t.faq_entries.c.id, t.faq_entries.c.question, t.faq_entries.c.phrasings)
        rows = connection.execute(statement)
        others = [(r.question, r.phrasings) for r in rows if r.id != exclude]
        validate(draft, others, self.known_fact_ids)

    def _create(
        self,
        connection: Connection,
        draft: FaqDraft,
        who: str,
        action: str,
        extra: Dict[str, Any] | None = None,
    ) -> FaqEntry:
        draft = prepare(draft, self.clock().date())
        self._validate(connection, draft, exclude=None)
        values = {**_values(draft), "version": 1, "updated_at": self.clock(), "updated_by": who}
        result = connection.execute(insert(t.faq_entries).values(**values, **(extra or {})))
        entry = self._get(connection, result.inserted_primary_key[0])
        _insert_revision(connection, entry, action, who)
        _bump_marker(connection)
        return entry

    def _change(
        self,
        connection: Connection,
        current: FaqEntry,
        draft: FaqDraft,
        expected_version: int | None,
        who: str,
        action: str,
        extra: Dict[str, Any] | None = None,
    ) -> FaqEntry:
        """Write `draft` over `current` as the next version, if it still is `expected_version`."""
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current, draft, expected_version)
        draft = prepare(draft, self.clock().date())
        self._validate(connection, draft, exclude=current.id)
        if content_hash(draft) == content_hash(current) and not extra:
            return current
        table = t.faq_entries
        result = connection.execute(
            update(table)
            .where(table.c.id == current.id, table.c.version == current.version)
            .values(
                **_values(draft),
                **(extra or {}),
                version=current.version + 1,
                updated_at=self.clock(),
                updated_by=who,
            )
        )
        if result.rowcount != 1:  # a concurrent writer got there between our read and write
            raise ConflictError(self._get(connection, current.id), draft, current.version)
        entry = self._get(connection, current.id)
        _insert_revision(connection, entry, action, who)
        _bump_marker(connection)
        return entry

    def _set_state(
        self, entry_id: int, state: str, who: str, expected_version: int | None, action: str
    ) -> FaqEntry:
        with self._writing() as connection:
            current = self._get(connection, entry_id)
            wanted = dataclasses.replace(current.draft(), state=state)
            return self._change(connection, current, wanted, expected_version, who, action)
