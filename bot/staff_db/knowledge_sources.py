"""Versions of the source page(s) the knowledge base quotes, in the staff database.

A version is immutable text under a unique name. `current` is the one facts cite by default,
`pending` a new version whose differences staff are resolving (bot/kb/page_diff.py; facts may
already quote it), `old` one that was replaced. Accepting a pending version makes it the
document's default in a new knowledge revision, validated as a whole like every write.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.kb import fact_paths as fp
from bot.kb.provenance import iter_cited
from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, write_transaction
from bot.staff_db.errors import NotFoundError
from bot.staff_db.knowledge_errors import KnowledgeValidationError

if TYPE_CHECKING:
    from bot.staff_db.knowledge import LiveKnowledge


@dataclass(frozen=True)
class SourceVersion:
    name: str
    text: str
    sha256: str
    state: str  # current | pending | old
    replaces: str | None
    resolutions: Dict[str, Dict[str, Any]]
    who: str
    at: dt.datetime


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


MAX_SOURCE_CHARS = 200_000  # the page is ~10 kB; a megabyte is a wrong file, not a new version
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.txt$")


def safe_source_name(name: object) -> bool:
    """A plain file name in knowledge/sources/ (no folder, no '..'): safe to read and write."""
    return isinstance(name, str) and bool(_SOURCE_NAME.match(name)) and ".." not in name


def source_problems(name: str, text: str) -> Dict[str, str]:
    """Why a new source version cannot be stored (field -> message), {} when it can."""
    errors: Dict[str, str] = {}
    if not safe_source_name(name):
        errors["name"] = (
            "a file name such as beu-international-relations-2027.txt (.txt, no folders)"
        )
    if not isinstance(text, str):
        errors["text"] = "the page must be text"
    elif "\x00" in text or sum(not (c.isprintable() or c in "\n\r\t") for c in text[:5000]) > 50:
        errors["text"] = "this is not text (a binary file?): paste or upload the page as plain text"
    elif len(text) > MAX_SOURCE_CHARS:
        errors["text"] = (
            f"the page is {len(text):,} characters; the limit is {MAX_SOURCE_CHARS:,}: "
            "save only the page's text"
        )
    elif not text.strip():
        errors["text"] = "the page is empty"
    return errors


def _source(row: Any) -> SourceVersion:
    return SourceVersion(
        name=row.name,
        text=row.text,
        sha256=row.sha256,
        state=row.state,
        replaces=row.replaces,
        resolutions=dict(row.resolutions or {}),
        who=row.who,
        at=as_utc(row.at),
    )


class SourceVersions:
    """The source-version half of KnowledgeRepository (which provides `_writing`, `_commit`
    and `_source_texts`)."""

    def sources(self) -> List[SourceVersion]:
        """Every stored source version, newest first."""
        table = t.kb_sources
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.id.desc())).all()
        return [_source(row) for row in rows]

    def source(self, name: str) -> SourceVersion:
        with self.engine.connect() as connection:
            return self._source_row(connection, name)

    def add_source(
        self, name: str, text: str, who: str, replaces: str | None = None
    ) -> SourceVersion:
        """Store a new version of a source page as `pending`: facts may quote it at once (staff
        resolving its page diff), and it becomes the document's default source once accepted.
        `replaces` defaults to the document's current source."""
        errors = source_problems(name, text)
        if errors:
            raise KnowledgeValidationError(errors)
        table = t.kb_sources
        with self._writing() as (connection, live):
            stored = {row.name: row for row in connection.execute(select(table))}
            if name in stored:
                raise KnowledgeValidationError({"name": f"a source version {name!r} exists"})
            digest = sha256(text)
            same = [row.name for row in stored.values() if row.sha256 == digest]
            if same:
                raise KnowledgeValidationError({"text": f"identical to the version {same[0]!r}"})
            replaces = replaces or live.kb.document.file
            if replaces not in stored:
                raise KnowledgeValidationError({"replaces": f"no source version {replaces!r}"})
            connection.execute(
                insert(table).values(
                    name=name,
                    text=text,
                    sha256=digest,
                    state="pending",
                    replaces=replaces,
                    resolutions={},
                    who=who,
                    at=self.clock(),
                )
            )
            return self._source_row(connection, name)

    def set_resolution(
        self,
        name: str,
        path: str,
        action: str | None,
        who: str,
        note: str = "",
        **extra: Any,
    ) -> SourceVersion:
        """Record staff's decision on one item of a pending version's page diff (`action`
        None clears it; `extra` JSON data is kept with it, e.g. the edit to apply). The page
        diff (bot/kb/page_diff.py) decides what is unresolved."""
        table = t.kb_sources
        with write_transaction(self.engine) as connection:
            version = self._source_row(connection, name)
            if version.state != "pending":
                raise KnowledgeValidationError(
                    {"": f"{name!r} is not pending (it is {version.state})"}
                )
            resolutions = dict(version.resolutions)
            if action is None:
                resolutions.pop(path, None)
            else:
                if not action.strip() or len(action) > 20:
                    raise KnowledgeValidationError(
                        {"action": "name the resolution (20 characters at most)"}
                    )
                resolutions[path] = {
                    **fp.plain(extra),
                    "action": action.strip(),
                    "who": who,
                    "at": self.clock().isoformat(),
                    "note": note,
                }
            connection.execute(
                update(table).where(table.c.name == name).values(resolutions=resolutions)
            )
            return self._source_row(connection, name)

    def discard_source(self, name: str) -> None:
        """Delete a pending version (a wrong file). Refused while a fact of the live knowledge
        base quotes it: pending versions are citable, and the quote must keep its source."""
        table = t.kb_sources
        with self._writing() as (connection, live):
            version = self._source_row(connection, name)
            if version.state != "pending":
                raise KnowledgeValidationError(
                    {"": f"{name!r} is {version.state}: only a pending version can be discarded"}
                )
            citing = [path for path, fact in iter_cited(live.kb) if fact.source == name]
            if citing:
                raise KnowledgeValidationError(
                    {"": f"{', '.join(citing)} quote {name!r}: change them first"}
                )
            connection.execute(delete(table).where(table.c.name == name))

    def accept_source(self, name: str, who: str, note: str = "") -> int:
        """Make a pending version current: the knowledge base cites it by default from the new
        revision on, and the version it replaces becomes old. A fact whose quote is not in the
        new text keeps its provenance only if staff confirmed it: its quote is then pinned to
        the version it came from; any other such fact refuses the acceptance (resolve it first)."""
        table = t.kb_sources
        with self._writing() as (connection, live):
            version = self._source_row(connection, name)
            if version.state != "pending":
                raise KnowledgeValidationError(
                    {"": f"{name!r} is not pending (it is {version.state})"}
                )
            document = copy.deepcopy(live.document)
            old_name = live.kb.document.file
            if version.replaces == old_name:
                document["document"]["file"] = name
                _pin_confirmed_quotes(document, live, old_name, version.text)
                for fact_path, fact in iter_cited(live.kb):
                    if fact.source == name:  # now the default: said once, in `document`
                        del fp.get(document, fact_path)["source"]
            connection.execute(update(table).where(table.c.name == name).values(state="current"))
            connection.execute(
                update(table)
                .where(table.c.name == version.replaces, table.c.state == "current")
                .values(state="old")
            )
            sources = self._source_texts(connection)
            return self._commit(
                connection,
                live,
                document,
                "accept_source",
                None,
                who,
                note or f"source {name}",
                sources=sources,
                force=True,
            )

    def _source_row(self, connection: Connection, name: str) -> SourceVersion:
        row = connection.execute(select(t.kb_sources).where(t.kb_sources.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"no source version {name!r}")
        return _source(row)


def _pin_confirmed_quotes(
    document: Dict[str, Any], live: LiveKnowledge, old_name: str, new_text: str
) -> None:
    """Facts citing the replaced version by default, whose quote the new text lacks and which
    staff confirmed: cite the replaced version explicitly, so the quote stays true of its source."""
    from bot.kb.provenance import normalise

    text = normalise(new_text)
    for path, fact in iter_cited(live.kb):
        if fact.source or fact.confirmed is None or not fact.quote:
            continue
        if all(normalise(q) in text for q in fact.quote):
            continue
        node = fp.get(document, path)
        node["source"] = old_name
