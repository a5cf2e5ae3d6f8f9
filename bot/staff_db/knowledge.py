"""The live knowledge base, kept by staff: every revision of the whole kb.yml-shaped document,
and the versions of the source page its quotes come from.

Why whole documents: the knowledge base is small (tens of kilobytes), its consistency rules span
it (a project names organisations, a count its list), and every write must validate the WHOLE
result exactly as `make kb` does. A revision that holds everything restores, exports and
validates on its own. Each write is one transaction that appends the revision and moves the
`kb_revision` marker (settings), so a crash leaves the old knowledge or the new, and a server in
another process polls one primary-key read to know it must reload.

Facts are addressed by path (bot/kb/fact_paths.py). A fact's version is the last revision that
changed its content (its own fields or anything inside it); a write names the version it was
based on, and a stale one raises `FactConflict` (optimistic locking, as for FAQ entries).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Tuple

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from bot.kb import fact_paths as fp
from bot.kb.load import KnowledgeError, load_countries, validate_document
from bot.kb.schema import Cited, CountryList, KnowledgeBase
from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, utcnow, write_transaction
from bot.staff_db.errors import NotFoundError
from bot.staff_db.knowledge_errors import KnowledgeValidationError
from bot.staff_db.knowledge_sources import (  # re-exported: the repository's one public module
    MAX_SOURCE_CHARS,
    SourceVersion,
    SourceVersions,
    sha256,
    source_problems,
)

if TYPE_CHECKING:
    from bot.staff_db.knowledge_yaml import KbImportReport

log = logging.getLogger(__name__)

__all__ = [
    "MAX_SOURCE_CHARS",
    "FactConflict",
    "FactRevision",
    "FactView",
    "KnowledgeRepository",
    "KnowledgeValidationError",
    "LiveKnowledge",
    "NotFoundError",
    "SourceVersion",
    "located_errors",
    "sha256",
    "source_problems",
]


class FactConflict(Exception):
    """Someone changed the fact since the caller read it; nothing was written. Carries both
    sides so the admin can show theirs next to yours."""

    def __init__(self, current: FactView, attempted: Any) -> None:
        self.current = current
        self.attempted = attempted
        super().__init__(
            f"{current.path} is at version {current.version}: reload and apply your change again"
        )


@dataclass(frozen=True)
class LiveKnowledge:
    """One revision of the knowledge base, validated. Shared with every caller (and cached):
    read it, never change it; writes go through the repository."""

    revision: int
    document: Dict[str, Any]
    sources: Dict[str, str]  # source version name -> raw text
    kb: KnowledgeBase


@dataclass(frozen=True)
class FactView:
    """One fact (or other addressable item: an exchange programme, a scholarship) as stored."""

    path: str
    kind: str  # the schema's class name: Count, Project, Organisation, Contacts...
    data: Dict[str, Any]
    version: int  # the last revision that changed this fact's content
    as_of: str | None  # the fact's, else the document's
    review_by: dt.date | None  # the fact's, else the document's
    owner: str | None  # who re-checks it: the fact's `owner`, else who confirmed it


@dataclass(frozen=True)
class FactRevision:
    """A revision that changed a fact: the fact as it was right after it (None: removed)."""

    revision: int
    action: str  # seed | import | edit | add | retire | rollback | accept_source
    path: str | None  # what the action was about (None: the whole document)
    data: Dict[str, Any] | None
    who: str
    at: dt.datetime
    note: str


def addressable(kb: KnowledgeBase) -> Iterator[Tuple[str, BaseModel]]:
    """Every fact (`iter_cited`) and every other list item (an exchange programme, a scholarship),
    with its path, in kb.yml order: what staff can open, edit or retire."""
    seen = set()
    for path, model in _walk(kb):
        if path not in seen:
            seen.add(path)
            yield path, model


def _walk(node: object, path: str = "", in_list: bool = False) -> Iterator[Tuple[str, BaseModel]]:
    if isinstance(node, BaseModel):
        if (
            path
            and (isinstance(node, Cited) or in_list)
            and path != "retired"
            and not (path.startswith("retired[") or path.startswith("non_factual["))
        ):
            yield path, node
        for name in node.__fields__:
            yield from _walk(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, (list, tuple)):
        for index, item in enumerate(node):
            label = getattr(item, "id", None) or index
            yield from _walk(item, f"{path}[{label}]", in_list=True)


class KnowledgeRepository(SourceVersions):
    """The knowledge base in one staff database. Safe to share between threads."""

    def __init__(
        self,
        engine: Engine,
        countries: CountryList | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self._countries = countries
        self.clock = clock
        self._cache: LiveKnowledge | None = None

    @property
    def countries(self) -> CountryList:
        if self._countries is None:
            self._countries = load_countries()
        return self._countries

    # -- reading ---------------------------------------------------------------------------

    def revision_marker(self) -> str | None:
        """The newest revision as text, None before the first: one primary-key read to poll."""
        statement = select(t.settings.c.value).where(t.settings.c.key == t.KB_MARKER_KEY)
        with self.engine.connect() as connection:
            value = connection.execute(statement).scalar()
        return None if value in (None, "", "0") else value

    def current(self) -> LiveKnowledge | None:
        """The newest revision, validated; None while the database holds no knowledge base."""
        with self.engine.connect() as connection:
            return self._current(connection)

    def fact(self, path: str) -> FactView:
        """The fact at `path` in the newest revision; NotFoundError when there is none."""
        with self.engine.connect() as connection:
            live = self._require(connection)
            return self._view(connection, live, path)

    def facts(self) -> List[FactView]:
        """Every fact and list item of the newest revision, in kb.yml order."""
        with self.engine.connect() as connection:
            live = self._current(connection)
            if live is None:
                return []
            versions = self._versions(connection)
            return [
                self._make_view(live, path, model, versions) for path, model in addressable(live.kb)
            ]

    def history(self, path: str) -> List[FactRevision]:
        """Every revision that changed the fact at `path` (including its removal), oldest first.
        Works for a retired fact too: its path stays in history."""
        statement = select(
            t.kb_revisions.c.revision,
            t.kb_revisions.c.action,
            t.kb_revisions.c.path,
            t.kb_revisions.c.changed,
            t.kb_revisions.c.who,
            t.kb_revisions.c.at,
            t.kb_revisions.c.note,
        ).order_by(t.kb_revisions.c.revision)
        try:
            fp.parse(path)
        except fp.PathError as error:
            raise NotFoundError(str(error)) from error
        with self.engine.connect() as connection:
            rows = [r for r in connection.execute(statement) if path in (r.changed or [])]
            if not rows:
                raise NotFoundError(f"no fact {path!r} in the knowledge base's history")
            documents = self._documents(connection, [r.revision for r in rows])
        result = []
        for row in rows:
            try:
                data = copy.deepcopy(fp.get(documents[row.revision], path))
            except fp.PathError:
                data = None
            result.append(
                FactRevision(
                    row.revision, row.action, row.path, data, row.who, as_utc(row.at), row.note
                )
            )
        return result

    def revision(self, revision: int) -> Dict[str, Any]:
        """The whole document as it was at `revision`."""
        with self.engine.connect() as connection:
            documents = self._documents(connection, [revision])
        if revision not in documents:
            raise NotFoundError(f"no knowledge revision {revision}")
        return documents[revision]

    # -- writing ---------------------------------------------------------------------------

    def edit_fact(
        self, path: str, data: Mapping[str, Any], base_version: int, who: str, note: str = ""
    ) -> int:
        """Replace the fact at `path` with `data` (the whole fact, as in kb.yml); returns the new
        revision, or the current one when `data` changes nothing.

        Raises FactConflict when the fact is no longer at `base_version`,
        KnowledgeValidationError when the resulting knowledge base would not validate.
        """
        data = _mapping(data)
        with self._writing() as (connection, live):
            view = self._view(connection, live, path)
            if view.version != base_version:
                raise FactConflict(view, data)
            document = copy.deepcopy(live.document)
            new_path = _renamed(path, data)
            if new_path != path and _exists(live, new_path):
                raise KnowledgeValidationError({"id": f"{data['id']!r} is already used"})
            fp.put(document, path, data)
            return self._commit(connection, live, document, "edit", path, who, note, new_path)

    def add_item(self, list_path: str, data: Mapping[str, Any], who: str, note: str = "") -> str:
        """Append a new item (a partner university under `organisations`, a project, a statement
        under `projects[promig].events`...) to the list at `list_path`; returns its path."""
        data = _mapping(data)
        with self._writing() as (connection, live):
            document = copy.deepcopy(live.document)
            try:
                items = fp.get(document, list_path)
            except fp.PathError as error:
                raise NotFoundError(str(error)) from error
            if not isinstance(items, list):
                raise NotFoundError(f"{list_path!r} is not a list of items")
            item_id = data.get("id")
            if isinstance(item_id, str) and item_id:
                taken = {fp.item_label(item, i) for i, item in enumerate(items)}
                taken |= {r.path for r in live.kb.retired}
                if item_id in taken or f"{list_path}[{item_id}]" in taken:
                    raise KnowledgeValidationError(
                        {"id": f"{item_id!r} is already used (or was retired): choose another id"}
                    )
            items.append(data)
            new_path = f"{list_path}[{fp.item_label(data, len(items) - 1)}]"
            self._commit(connection, live, document, "add", new_path, who, note)
            return new_path

    def retire(self, path: str, reason: str, base_version: int, who: str, note: str = "") -> int:
        """Take a list item out of the knowledge base: it is no longer answered, its name stays
        recognisable (`retired`, with its last content), and its history is kept. An
        organisation is also dropped from the exchange programmes' partner lists; one that a
        project or the dual degree names cannot be retired (the validation says where)."""
        reason = (reason or "").strip()
        if len(reason) < 3:
            raise KnowledgeValidationError({"reason": "say why the fact is retired"})
        with self._writing() as (connection, live):
            view = self._view(connection, live, path)
            if view.version != base_version:
                raise FactConflict(view, None)
            try:
                fp.parent_list(path)
            except fp.PathError as error:
                raise KnowledgeValidationError(
                    {"": "only list items (a partner, a project, a statement) can be retired"}
                ) from error
            document = copy.deepcopy(live.document)
            item = fp.remove(document, path)
            if path.startswith("organisations["):
                for programme in document.get("exchange_programmes", []):
                    ids = programme.get("universities") or []
                    programme["universities"] = [i for i in ids if i != item.get("id")]
            names = [item.get("acronym")] if isinstance(item.get("acronym"), str) else []
            retired = {
                "path": path,
                "kind": view.kind,
                "name": item.get("name") if isinstance(item.get("name"), str) else None,
                "aliases": [*names, *(item.get("aliases") or [])],
                "snapshot": item,
                "by": who,
                "date": self.clock().date().isoformat(),
                "reason": reason,
            }
            document.setdefault("retired", []).append(retired)
            return self._commit(connection, live, document, "retire", path, who, note or reason)

    def rollback(
        self, path: str, revision: int, base_version: int, who: str, note: str = ""
    ) -> int:
        """A new revision in which the fact at `path` is as it was at `revision` (brought back
        if it was retired since, removed if it did not exist yet); history is never rewritten."""
        with self._writing() as (connection, live):
            versions = self._versions(connection)
            try:
                current = self._view(connection, live, path)
            except NotFoundError:
                if path not in versions:
                    raise
                current = FactView(path, "Retired", {}, versions[path], None, None, None)
            if current.version != base_version:
                raise FactConflict(current, None)
            old_document = self._documents(connection, [revision]).get(revision)
            if old_document is None:
                raise NotFoundError(f"no knowledge revision {revision}")
            document = copy.deepcopy(live.document)
            try:
                old = copy.deepcopy(fp.get(old_document, path))
            except fp.PathError:
                old = None
            exists = current.kind != "Retired"
            if old is not None and exists:
                fp.put(document, path, old)
            elif old is not None:
                _reinsert(document, old_document, path, old)
            elif exists:
                fp.remove(document, path)
            note = note or f"back to revision {revision}"
            return self._commit(connection, live, document, "rollback", path, who, note)

    # -- internals -------------------------------------------------------------------------

    @contextmanager
    def _writing(self, allow_empty: bool = False) -> Iterator[Tuple[Connection, Any]]:
        """A write transaction holding the marker's row lock (writers queue on it, on SQLite
        and PostgreSQL alike), with the newest revision read after taking the lock."""
        with write_transaction(self.engine) as connection:
            connection.execute(
                update(t.settings)
                .where(t.settings.c.key == t.KB_MARKER_KEY)
                .values(value=t.settings.c.value)
            )
            live = self._current(connection)
            if live is None and not allow_empty:
                raise NotFoundError("the staff database holds no knowledge base yet")
            try:
                yield connection, live
            except BaseException:
                self._cache = None  # the cache may hold what was just rolled back
                raise

    def _require(self, connection: Connection) -> LiveKnowledge:
        live = self._current(connection)
        if live is None:
            raise NotFoundError("the staff database holds no knowledge base yet")
        return live

    def _current(self, connection: Connection) -> LiveKnowledge | None:
        table = t.kb_revisions
        newest = connection.execute(select(table.c.revision).order_by(table.c.revision.desc()))
        revision = newest.scalar()
        if revision is None:
            return None
        cached = self._cache
        if cached is not None and cached.revision == revision:
            return cached
        document = connection.execute(
            select(table.c.document).where(table.c.revision == revision)
        ).scalar_one()
        sources = self._source_texts(connection)
        try:
            kb = validate_document(document, sources, self.countries, where=f"revision {revision}")
        except KnowledgeError as error:
            kb = _still_readable(document, error)
        live = LiveKnowledge(revision, document, sources, kb)
        self._cache = live
        return live

    def _source_texts(self, connection: Connection) -> Dict[str, str]:
        """Every stored source version. A pending one is citable too: staff resolving its page
        diff update facts to quote it before it becomes the document's default."""
        table = t.kb_sources
        rows = connection.execute(select(table.c.name, table.c.text))
        return {row.name: row.text for row in rows}

    def _documents(self, connection: Connection, revisions: List[int]) -> Dict[int, Dict]:
        table = t.kb_revisions
        rows = connection.execute(
            select(table.c.revision, table.c.document).where(table.c.revision.in_(revisions))
        )
        return {row.revision: row.document for row in rows}

    def _versions(self, connection: Connection) -> Dict[str, int]:
        """Path -> the last revision that changed it."""
        table = t.kb_revisions
        versions: Dict[str, int] = {}
        for row in connection.execute(
            select(table.c.revision, table.c.changed).order_by(table.c.revision)
        ):
            for path in row.changed or []:
                versions[path] = row.revision
        return versions

    def _view(self, connection: Connection, live: LiveKnowledge, path: str) -> FactView:
        try:
            fp.parse(path)
        except fp.PathError as error:
            raise NotFoundError(str(error)) from error
        for candidate, model in addressable(live.kb):
            if candidate == path:
                return self._make_view(live, path, model, self._versions(connection))
        raise NotFoundError(f"no fact {path!r} in the knowledge base")

    def _make_view(
        self, live: LiveKnowledge, path: str, model: BaseModel, versions: Dict[str, int]
    ) -> FactView:
        data = copy.deepcopy(fp.get(live.document, path))
        as_of = getattr(model, "as_of", None) or live.kb.document.as_of
        review_by = getattr(model, "review_by", None) or live.kb.document.review_by
        confirmed = getattr(model, "confirmed", None)
        owner = getattr(model, "owner", None) or (confirmed.by if confirmed else None)
        return FactView(
            path=path,
            kind=type(model).__name__,
            data=data,
            version=versions.get(path, 1),
            as_of=as_of,
            review_by=review_by,
            owner=owner,
        )

    def _validated(
        self, document: Dict[str, Any], sources: Mapping[str, str], fact_path: str | None
    ) -> KnowledgeBase:
        try:
            return validate_document(document, sources, self.countries)
        except KnowledgeError as error:
            raise KnowledgeValidationError(located_errors(error, fact_path)) from error

    def _commit(
        self,
        connection: Connection,
        live: LiveKnowledge,
        document: Dict[str, Any],
        action: str,
        path: str | None,
        who: str,
        note: str,
        error_path: str | None = None,
        imported: Dict[str, Any] | None = None,
        sources: Mapping[str, str] | None = None,
        force: bool = False,
    ) -> int:
        """Validate `document` and append it as the next revision (moving the marker); the
        current revision when it changes nothing."""
        sources = self._source_texts(connection) if sources is None else sources
        kb = self._validated(document, sources, error_path or path)
        changed = fp.changed_paths(live.document, document)
        if not changed and imported is None and not force:
            return live.revision
        revision = live.revision + 1
        self._append(connection, revision, document, action, path, changed, who, note, imported)
        self._cache = LiveKnowledge(revision, document, dict(sources), kb)
        return revision

    def _append(
        self,
        connection: Connection,
        revision: int,
        document: Dict[str, Any],
        action: str,
        path: str | None,
        changed: List[str],
        who: str,
        note: str,
        imported: Dict[str, Any] | None = None,
    ) -> None:
        connection.execute(
            insert(t.kb_revisions).values(
                revision=revision,
                document=document,
                action=action,
                path=path,
                changed=changed,
                imported=imported,
                who=who,
                at=self.clock(),
                note=note or "",
            )
        )
        result = connection.execute(
            update(t.settings)
            .where(t.settings.c.key == t.KB_MARKER_KEY)
            .values(value=str(revision))
        )
        if result.rowcount == 0:
            connection.execute(insert(t.settings).values(key=t.KB_MARKER_KEY, value=str(revision)))

    def import_yaml(self, kb_path: Path, sources_dir: Path, who: str) -> KbImportReport:
        from bot.staff_db.knowledge_yaml import import_yaml

        return import_yaml(self, Path(kb_path), Path(sources_dir), who)

    def export_yaml(self, kb_path: Path, sources_dir: Path) -> List[Path]:
        from bot.staff_db.knowledge_yaml import export_yaml

        return export_yaml(self, Path(kb_path), Path(sources_dir))


MAX_TEXT = 5000  # characters in one field: the longest quote of the page is ~600
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _still_readable(document: Dict[str, Any], error: KnowledgeError) -> KnowledgeBase:
    """A stored revision that no longer passes every check (a source version deleted behind
    the repository's back, a country code dropped from the reference list) is still served if
    its schema holds, loudly: the assistant keeps answering, and the next write, validated as a
    whole, names the problem so staff can fix it."""
    try:
        kb = KnowledgeBase.parse_obj(document)
    except PydanticValidationError:
        raise error from None
    log.error("the live knowledge base no longer validates; serving it anyway: %s", error)
    return kb


def _mapping(data: Any) -> Dict[str, Any]:
    """The fact as stored (JSON types), or a located refusal of something that is no fact."""
    if not isinstance(data, Mapping):
        raise KnowledgeValidationError({"": "a fact is a mapping of its fields, as in kb.yml"})
    try:
        plain = fp.plain(dict(data))
    except TypeError as error:
        raise KnowledgeValidationError({"": f"not knowledge-base data: {error}"}) from error
    errors = dict(_text_problems(plain))
    if errors:
        raise KnowledgeValidationError(errors)
    return plain


def _text_problems(node: Any, path: str = "") -> Iterator[Tuple[str, str]]:
    """Texts no student should be shown: control characters (a binary paste) or far too long."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _text_problems(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _text_problems(item, f"{path}[{index}]")
    elif isinstance(node, str):
        if _CONTROL.search(node):
            yield path, "contains control characters: paste plain text"
        elif len(node) > MAX_TEXT:
            yield path, f"{len(node):,} characters; the limit is {MAX_TEXT:,}"


def _exists(live: LiveKnowledge, path: str) -> bool:
    """Whether `path` names a fact now, or a retired one (its history keeps the path)."""
    if any(r.path == path for r in live.kb.retired):
        return True
    try:
        list_path, label = fp.parent_list(path)
        return any(
            isinstance(item, dict) and item.get("id") == label
            for item in fp.get(live.document, list_path)
        )
    except fp.PathError:
        return False


def _renamed(path: str, data: Mapping[str, Any]) -> str:
    """The path of an edited list item whose id the edit changed."""
    try:
        list_path, _label = fp.parent_list(path)
    except fp.PathError:
        return path
    new_id = data.get("id") if isinstance(data, Mapping) else None
    return f"{list_path}[{new_id}]" if isinstance(new_id, str) and new_id else path


def located_errors(error: KnowledgeError, fact_path: str | None) -> Dict[str, str]:
    """KnowledgeError's located problems keyed relative to the fact (see
    KnowledgeValidationError); problems elsewhere go under "" with their location."""
    errors: Dict[str, str] = {}
    for location, message in error.located:
        if fact_path is None:  # a whole-document write (an import): keyed by location
            key: str | None = location
        else:
            key = fp.relative(location, fact_path)
        if key is None:
            key, message = "", f"{location}: {message}" if location else message
        errors[key] = f"{errors[key]}; {message}" if key in errors else message
    return errors


def _reinsert(document: Dict[str, Any], old_document: Dict[str, Any], path: str, item: Any) -> None:
    """Put a removed list item back where it was (as near as the list now allows) and drop its
    retirement record."""
    list_path, _label = fp.parent_list(path)
    try:
        items = fp.get(document, list_path)
        old_items = fp.get(old_document, list_path)
    except fp.PathError as error:
        raise NotFoundError(f"{list_path!r} no longer exists") from error
    position = next((i for i, old in enumerate(old_items) if old == item), len(items))
    items.insert(min(position, len(items)), item)
    retired = document.get("retired") or []
    document["retired"] = [r for r in retired if r.get("path") != path]
    if not document["retired"]:
        del document["retired"]
