"""FAQ entries to and from YAML, so answers can be reviewed in git (`make kb-export`).

Import never silently overwrites a newer edit made in the admin: an entry is updated from the
file only if nobody changed it in the database since the last import wrote it
(`import_version == version`); anything else is reported as a conflict and left alone.
Import is all-or-nothing: one invalid entry and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List

import yaml
from sqlalchemy import select, update

from bot.staff_db import tables as t
from bot.staff_db.faq import FaqEntry, content_hash, prepare
from bot.staff_db.files import write_atomically
from bot.staff_db.validation import FaqDraft, ValidationError, normalise_question, validate

if TYPE_CHECKING:
    from bot.staff_db.faq import FaqRepository

KEYS = ("question", "phrasings", "answer", "tags", "fact", "source", "owner", "as_of")
KEYS += ("review_by", "state", "translations")
HEADER = (
    "# FAQ answers written by the international office in the staff admin.\n"
    "# Exported from the database; edit in the admin, or here and import with `faq import`.\n"
)


@dataclass(frozen=True)
class ImportConflict:
    question: str
    entry_id: int
    database_version: int
    reason: str


@dataclass
class ImportReport:
    created: List[str] = field(default_factory=list)
    updated: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)
    conflicts: List[ImportConflict] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.conflicts)} conflict(s)"
        ]
        lines += [
            f"  conflict: entry {c.entry_id} {c.question!r} (database v{c.database_version}):"
            f" {c.reason}"
            for c in self.conflicts
        ]
        return "\n".join(lines)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line answers as literal blocks, so git diffs read well."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _to_yaml(entry: FaqEntry) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "question": entry.question,
        "phrasings": list(entry.phrasings),
        "answer": entry.answer,
        "tags": list(entry.tags),
    }
    if entry.fact_ref:
        data["fact"] = entry.fact_ref
    if entry.source_url:
        data["source"] = entry.source_url
    data.update(owner=entry.owner, as_of=entry.as_of, review_by=entry.review_by, state=entry.state)
    if entry.translations:
        data["translations"] = {
            language: {
                "question": version.get("question", ""),
                "phrasings": list(version.get("phrasings") or []),
                "answer": version.get("answer", ""),
            }
            for language, version in sorted(entry.translations.items())
        }
    return data


def export_yaml(repo: FaqRepository, path: Path) -> int:
    """Write every entry (by id) to `path`, atomically; returns how many. Same data, same bytes."""
    entries = repo.list_entries()
    text = HEADER + yaml.dump(
        {"faq": [_to_yaml(e) for e in entries]},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100_000,  # one line per field: no re-wrapping noise in diffs
    )
    write_atomically(Path(path), text)
    return len(entries)


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # validation reports it against the field
    return value


def _draft(item: Any, where: str, errors: Dict[str, str]) -> FaqDraft | None:
    if not isinstance(item, dict):
        errors[where] = "each entry must be a mapping of fields"
        return None
    unknown = sorted(set(map(str, item)) - set(KEYS))
    if unknown:
        errors[f"{where}.{unknown[0]}"] = f"unknown field; the fields are {', '.join(KEYS)}"
    return FaqDraft(
        question=item.get("question") or "",
        answer=item.get("answer") or "",
        phrasings=item.get("phrasings") or [],
        tags=item.get("tags") or [],
        fact_ref=item.get("fact"),
        source_url=item.get("source"),
        owner=item.get("owner") or "",
        as_of=_date(item.get("as_of")),
        review_by=_date(item.get("review_by")),
        state=item.get("state") or "draft",
        translations=item.get("translations") or {},
    )


def read_yaml(
    path: Path, today: dt.date, known_fact_ids: Callable[[], Iterable[str]] | None = None
) -> List[FaqDraft]:
    """Parse and validate the whole file; ValidationError keyed `faq[i].field` on any problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValidationError({"file": f"cannot read {path}: {error}"}) from error
    if not isinstance(data, dict) or not isinstance(data.get("faq"), list):
        raise ValidationError({"file": "expected a top-level `faq:` list of entries"})
    errors: Dict[str, str] = {}
    drafts: List[FaqDraft] = []
    seen: List[tuple] = []
    for index, item in enumerate(data["faq"]):
        where = f"faq[{index}]"
        draft = _draft(item, where, errors)
        if draft is None:
            continue
        draft = prepare(draft, today)
        try:
            validate(draft, seen, known_fact_ids)
        except ValidationError as error:
            errors.update({f"{where}.{name}": message for name, message in error.errors.items()})
        if isinstance(draft.question, str) and isinstance(draft.phrasings, list):
            seen.append((draft.question, draft.phrasings))
        drafts.append(draft)
    if errors:
        raise ValidationError(errors)
    return drafts


def import_yaml(repo: FaqRepository, path: Path, who: str) -> ImportReport:
    """Bring the file's entries into the database in one transaction; see the module docstring."""
    drafts = read_yaml(path, repo.clock().date(), repo.known_fact_ids)
    report = ImportReport()
    table = t.faq_entries
    with repo._writing() as connection:
        rows = {r.question_key: r for r in connection.execute(select(table))}
        for index, draft in enumerate(drafts):
            row = rows.get(normalise_question(draft.question))
            digest = content_hash(draft)
            try:
                if row is None:
                    extra = {"imported_hash": digest, "import_version": 1}
                    repo._create(connection, draft, who, "import", extra)
                    report.created.append(draft.question)
                    continue
                current = repo._get(connection, row.id)
                if content_hash(current) == digest:
                    # Same content: remember it as imported, so later file edits may apply.
                    connection.execute(
                        update(table)
                        .where(table.c.id == row.id, table.c.version == row.version)
                        .values(imported_hash=digest, import_version=row.version)
                    )
                    report.unchanged.append(draft.question)
                elif row.import_version == row.version:
                    extra = {"imported_hash": digest, "import_version": row.version + 1}
                    repo._change(connection, current, draft, row.version, who, "import", extra)
                    report.updated.append(draft.question)
                else:
                    report.conflicts.append(_conflict(row, digest))
            except ValidationError as error:
                keyed = {f"faq[{index}].{k}": v for k, v in error.errors.items()}
                raise ValidationError(keyed) from error
    return report


def _conflict(row: Any, digest: str) -> ImportConflict:
    if row.import_version is None:
        reason = "written in the admin and never imported; edit it there or delete it from the file"
    elif row.imported_hash == digest:
        reason = (
            f"edited in the admin since the last import (v{row.import_version}); "
            "export again to pick the edit up"
        )
    else:
        reason = (
            f"changed both in the file and in the admin since the last import "
            f"(v{row.import_version}); merge by hand"
        )
    return ImportConflict(row.question, row.id, row.version, reason)
