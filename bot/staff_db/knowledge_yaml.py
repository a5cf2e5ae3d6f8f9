"""The live knowledge base to and from knowledge/kb.yml and knowledge/sources/, so git stays
the record (`make kb-export`) and a developer's edit of kb.yml still reaches the database.

Import never silently overwrites a newer admin edit. It is a three-way merge per path: the base
is the document the previous import read (stored with that revision); a path the file changed
and staff did not takes the file's value, one staff changed is kept and reported (with both
sides changed: "merge by hand"). Lists of items with ids are merged item by item, so a partner
added in the admin survives an import of a file that added a project. All or nothing: the merged
document must validate as a whole, or nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Tuple

import yaml
from sqlalchemy import insert, select, update

from bot.kb import fact_paths as fp
from bot.kb.load import KnowledgeError, parse_yaml, source_names, validate_document
from bot.staff_db import tables as t
from bot.staff_db.files import write_atomically
from bot.staff_db.knowledge import (
    KnowledgeValidationError,
    LiveKnowledge,
    addressable,
    located_errors,
    sha256,
)
from bot.staff_db.knowledge_sources import safe_source_name

if TYPE_CHECKING:
    from bot.staff_db.knowledge import KnowledgeRepository

ADMIN_EDIT = "edited in the admin since the last import; `make kb-export` writes it to kb.yml"
BOTH_EDITED = (
    "changed in kb.yml and in the admin since the last import; kept the admin's: merge by hand"
)


_UNREAD = object()


@dataclass
class KbImportReport:
    revision: int | None = None  # the revision written, None when nothing changed
    changed: List[str] = field(default_factory=list)  # fact paths the file changed
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # (path, why) kept as in the db
    sources_added: List[str] = field(default_factory=list)
    sources_kept: List[Tuple[str, str]] = field(default_factory=list)  # (name, why)

    def summary(self) -> str:
        lines = [
            f"knowledge base: {len(self.changed)} path(s) changed, {len(self.skipped)} skipped, "
            f"{len(self.sources_added)} source version(s) added"
            + (f", revision {self.revision}" if self.revision else ", nothing written")
        ]
        lines += [f"  skipped {path}: {why}" for path, why in self.skipped]
        lines += [f"  source {name} kept: {why}" for name, why in self.sources_kept]
        return "\n".join(lines)


def files_digest(kb_path: Path, sources_dir: Path, document: object = _UNREAD) -> str:
    """Fingerprint of kb.yml and every source file it names: has the file side changed?"""
    digest = hashlib.sha256(kb_path.read_bytes())
    if document is _UNREAD:
        try:
            document = parse_yaml(kb_path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            document = None
    for name in sorted(source_names(document)):
        path = sources_dir / name
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()


def read_document(kb_path: Path) -> Dict[str, Any]:
    try:
        document = parse_yaml(kb_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeValidationError({"": f"cannot read {kb_path}: {error}"}) from error
    if not isinstance(document, dict):
        raise KnowledgeValidationError({"": f"{kb_path}: expected a mapping of sections"})
    return fp.plain(document)


def import_yaml(
    repo: KnowledgeRepository, kb_path: Path, sources_dir: Path, who: str
) -> KbImportReport:
    """Bring kb.yml and its source versions into the database in one transaction."""
    document = read_document(kb_path)
    names = source_names(document)
    unsafe = sorted(name for name in names if not safe_source_name(name))
    if unsafe:
        message = f"not a plain .txt file name in {sources_dir}: {', '.join(map(repr, unsafe))}"
        raise KnowledgeValidationError({"": message})
    file_sources = {
        name: (sources_dir / name).read_text(encoding="utf-8")
        for name in names
        if (sources_dir / name).is_file()
    }
    digest = files_digest(kb_path, sources_dir, document)
    report = KbImportReport()
    with repo._writing(allow_empty=True) as (connection, live):
        _import_sources(repo, connection, document, file_sources, who, report)
        sources = repo._source_texts(connection)
        if live is None:
            merged = document
            base = None
        else:
            base = _last_imported(connection)
            merged, skipped = merge(base, live.document, document)
            report.skipped = skipped
        current = live or LiveKnowledge(0, {}, {}, None)  # type: ignore[arg-type]
        try:
            kb = validate_document(merged, sources, repo.countries)
        except KnowledgeError as error:
            raise KnowledgeValidationError(located_errors(error, None)) from error
        _follow_document_file(connection, kb.document.file)
        changed = fp.changed_paths(current.document, merged)
        if changed or fp.fingerprint(base) != fp.fingerprint(document):
            revision = current.revision + 1
            action = "seed" if live is None else "import"
            repo._append(connection, revision, merged, action, None, changed, who, "", document)
            repo._cache = LiveKnowledge(revision, merged, dict(sources), kb)
            report.revision = revision
        facts = [path for path, _ in addressable(kb)]
        report.changed = [path for path in changed if path in set(facts)]
        report.skipped = _by_fact(report.skipped, facts)
        _remember_digest(connection, digest)
    return report


def _by_fact(skipped: List[Tuple[str, str]], facts: List[str]) -> List[Tuple[str, str]]:
    """Each kept difference reported once, under the fact that holds it (the innermost)."""
    result: Dict[str, str] = {}
    for path, why in skipped:
        owners = [fact for fact in facts if fp.is_within(path, fact)]
        owner = max(owners, key=len) if owners else path
        if owner not in result or why == BOTH_EDITED:
            result[owner] = why
    return list(result.items())


def _import_sources(
    repo: KnowledgeRepository,
    connection: Any,
    document: Dict[str, Any],
    file_sources: Dict[str, str],
    who: str,
    report: KbImportReport,
) -> None:
    """Add the file's source versions the database lacks. A stored version is never replaced:
    a changed page is a new version under a new name (its diff is reviewed in the admin)."""
    table = t.kb_sources
    stored = {row.name: row for row in connection.execute(select(table))}
    current_file = (document.get("document") or {}).get("file")
    for name, text in sorted(file_sources.items()):
        row = stored.get(name)
        if row is None:
            state = "current" if name == current_file else "old"
            connection.execute(
                insert(table).values(
                    name=name,
                    text=text,
                    sha256=sha256(text),
                    state=state,
                    resolutions={},
                    who=who,
                    at=repo.clock(),
                )
            )
            report.sources_added.append(name)
        elif row.sha256 != sha256(text):
            report.sources_kept.append(
                (name, "differs from the stored version; save a new page version under a new name")
            )


def _follow_document_file(connection: Any, name: str) -> None:
    """The version the imported document cites by default is the current one; any other
    current version of the page becomes old (kb.yml moved to a new page version)."""
    table = t.kb_sources
    connection.execute(
        update(table).where(table.c.state == "current", table.c.name != name).values(state="old")
    )
    connection.execute(update(table).where(table.c.name == name).values(state="current"))


def _last_imported(connection: Any) -> Dict[str, Any] | None:
    table = t.kb_revisions
    return connection.execute(
        select(table.c.imported)
        .where(table.c.imported.isnot(None))
        .order_by(table.c.revision.desc())
        .limit(1)
    ).scalar()


def _remember_digest(connection: Any, digest: str) -> None:
    result = connection.execute(
        update(t.settings).where(t.settings.c.key == t.KB_IMPORT_KEY).values(value=digest)
    )
    if result.rowcount == 0:
        connection.execute(insert(t.settings).values(key=t.KB_IMPORT_KEY, value=digest))


def imported_digest(connection: Any) -> str | None:
    statement = select(t.settings.c.value).where(t.settings.c.key == t.KB_IMPORT_KEY)
    return connection.execute(statement).scalar()


# -- three-way merge -----------------------------------------------------------------------

_MISSING = object()


def _same(a: Any, b: Any) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return fp.fingerprint(a) == fp.fingerprint(b)


def _ids(items: Any) -> List[str] | None:
    """The ids of a list of items that all have one, else None."""
    if not isinstance(items, list):
        return None
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    return ids if all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids) else None


def merge(base: Any, ours: Any, theirs: Any) -> Tuple[Dict[str, Any], List[Tuple[str, str]]]:
    """Three-way merge of the stored document (`ours`, staff's) with the file's (`theirs`),
    from the document the last import read (`base`; None before any import: every difference
    is then staff's). Returns the merged document and the (path, why) staff's edit was kept."""
    skipped: List[Tuple[str, str]] = []
    merged = _merge(_MISSING if base is None else base, ours, theirs, "", "", skipped)
    unique = list(dict.fromkeys(skipped))
    return merged, unique


def _merge(
    base: Any, ours: Any, theirs: Any, path: str, owner: str, skipped: List[Tuple[str, str]]
) -> Any:
    if _same(ours, theirs):
        return ours
    if _same(ours, base):
        return theirs
    if isinstance(ours, dict) and isinstance(theirs, dict):
        base_map = base if isinstance(base, dict) else {}
        result: Dict[str, Any] = {}
        for key in [*theirs, *(k for k in ours if k not in theirs)]:
            child = f"{path}.{key}" if path else key
            child_owner = child if isinstance(ours.get(key), dict) else owner
            value = _merge(
                base_map.get(key, _MISSING),
                ours.get(key, _MISSING),
                theirs.get(key, _MISSING),
                child,
                child_owner,
                skipped,
            )
            if value is not _MISSING:
                result[key] = value
        return result
    ours_ids, theirs_ids = _ids(ours), _ids(theirs)
    if ours_ids is not None and theirs_ids is not None:
        base_items = {i["id"]: i for i in base} if _ids(base) is not None else {}
        ours_items = {i["id"]: i for i in ours}
        theirs_items = {i["id"]: i for i in theirs}
        merged_items = []
        for item_id in [*theirs_ids, *(i for i in ours_ids if i not in theirs_items)]:
            child = f"{path}[{item_id}]"
            value = _merge(
                base_items.get(item_id, _MISSING),
                ours_items.get(item_id, _MISSING),
                theirs_items.get(item_id, _MISSING),
                child,
                child,
                skipped,
            )
            if value is not _MISSING:
                merged_items.append(value)
        return merged_items
    if (
        isinstance(ours, list)
        and isinstance(theirs, list)
        and isinstance(base, list)
        and len(ours) == len(theirs) == len(base)
    ):
        return [
            _merge(
                b, o, th, f"{path}[{i}]", f"{path}[{i}]" if isinstance(o, dict) else owner, skipped
            )
            for i, (b, o, th) in enumerate(zip(base, ours, theirs, strict=True))
        ]
    why = ADMIN_EDIT if _same(theirs, base) else BOTH_EDITED
    skipped.append((owner or path or "(whole document)", why))
    return ours


# -- export --------------------------------------------------------------------------------


def export_yaml(repo: KnowledgeRepository, kb_path: Path, sources_dir: Path) -> List[Path]:
    """Write the live knowledge base to `kb_path` (kb.yml's key order, comments and style kept
    where the content is unchanged) and every source version it cites to `sources_dir`; returns
    the files written. Atomic per file; the same knowledge gives the same bytes."""
    live = repo.current()
    if live is None:
        raise LookupError("the staff database holds no knowledge base to export")
    written = [kb_path]
    write_atomically(kb_path, render_yaml(live.document, kb_path if kb_path.is_file() else None))
    cited = _cited(live)
    for name in sorted(cited):
        if not safe_source_name(name):  # stored names are checked; never write outside
            raise ValueError(f"source version {name!r} is not a plain file name")
        target = sources_dir / name
        text = live.sources[name]
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_atomically(target, text)
            written.append(target)
    return written


def _cited(live: LiveKnowledge) -> Iterable[str]:
    from bot.kb.load import cited_sources

    return cited_sources(live.kb) & set(live.sources)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_KEYS = ("review_by",)


def _typed(value: Any, key: str = "", parent: str = "") -> Any:
    """The stored JSON with kb.yml's types back: dates as YAML dates where the schema has a
    date (review_by, a confirmation's or retirement's date), so the file reads as before."""
    if isinstance(value, dict):  # its fields' parent is the field that holds it
        return {k: _typed(v, k, key) for k, v in value.items()}
    if isinstance(value, list):  # an item stands where its list does
        return [_typed(v, key, parent) for v in value]
    is_date_field = key in _DATE_KEYS or (key == "date" and parent in ("confirmed", "retired"))
    if is_date_field and isinstance(value, str) and _DATE.match(value):
        return dt.date.fromisoformat(value)
    return value


def render_yaml(document: Dict[str, Any], previous: Path | None) -> str:
    """kb.yml text for `document`. With the previous file, it is edited in place (ruamel's
    round trip), so comments, flow lists and quoting survive wherever the content did."""
    from ruamel.yaml import YAML

    data = _typed(document)
    writer = YAML()
    writer.width = 4096
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.allow_unicode = True
    writer.preserve_quotes = True
    writer.representer.add_representer(type(None), _null)
    if previous is not None:
        tree = writer.load(previous.read_text(encoding="utf-8"))
        tree = _update(tree, data)
    else:
        tree = data
    stream = io.StringIO()
    writer.dump(tree, stream)
    return stream.getvalue()


def _null(representer: Any, _value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _styled(value: Any) -> Any:
    """A new value in kb.yml's style: lists of plain values on one line (`aliases: [A, B]`),
    mappings and lists of mappings as blocks."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        styled = CommentedMap()
        for key, item in value.items():
            styled[key] = _styled(item)
        return styled
    if isinstance(value, list):
        styled_list = CommentedSeq(_styled(item) for item in value)
        if not any(isinstance(item, (dict, list)) for item in value):
            styled_list.fa.set_flow_style()
        return styled_list
    return value


def _update(target: Any, new: Any) -> Any:
    """`target` (a ruamel node) changed to equal `new`, keeping the nodes that already do."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(target, CommentedMap) and isinstance(new, dict):
        for key in [k for k in target if k not in new]:
            del target[key]
        for position, (key, value) in enumerate(new.items()):
            if key in target:
                target[key] = _update(target[key], value)
                continue
            target.insert(position, key, _styled(value))
        return target
    if isinstance(target, CommentedSeq) and isinstance(new, list):
        old_ids = _ids(list(target))
        new_ids = _ids(new)
        if old_ids is not None and new_ids is not None:
            by_id = {item["id"]: item for item in target}
            items = [
                _update(by_id[i], v) if i in by_id else _styled(v)
                for i, v in zip(new_ids, new, strict=True)
            ]
        else:
            items = [_update(o, v) for o, v in zip(target, new, strict=False)]
            items += [_styled(v) for v in new[len(target) :]]
        was_empty = len(target) == 0  # `[]`: ruamel records no style; kb.yml's is one line
        del target[:]
        target.extend(items)
        if was_empty and not any(isinstance(item, (dict, list)) for item in new):
            target.fa.set_flow_style()
        return target
    if _plain_equal(target, new):
        return target
    return _styled(new)


def _plain_equal(old: Any, new: Any) -> bool:
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        return False
    if isinstance(old, dt.date) or isinstance(new, dt.date):
        return str(old) == str(new)
    return old == new and isinstance(old, bool) == isinstance(new, bool)
