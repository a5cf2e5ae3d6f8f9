"""Reviewing a new version of a source page: stored as a pending version, every fact it changes
or removes resolved by staff, then made current.

A pending version cannot be cited before it is accepted (bot/staff_db/knowledge.py), so the
three resolutions work as follows:
  - *confirmed*: the fact is edited now to carry a staff confirmation (who, date, note); at
    acceptance its quote is pinned to the version it came from, so its provenance stays true;
  - *retired*: the fact is retired now (kept in history, no longer answered);
  - *updated*: the new quote (and figures) are checked now against the pending text, exactly as
    they will be cited, and stored with the resolution; acceptance applies them in the same
    transaction that makes the version current, so no revision ever cites an uncitable text.

What is open is worked out again from the live knowledge base each time (the page diff through
today's facts), not from a list saved at upload: a fact retired, or fixed some other way, no
longer cites a gone sentence, whichever screen did it. The `resolutions` column of the pending
`kb_sources` row keeps who decided what, when and why.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from bot.kb import fact_paths as fp
from bot.kb.load import KnowledgeError, validate_document
from bot.kb.page_diff import FactChange, PageDiff, diff_page
from bot.staff_db import tables as t
from bot.staff_db.db import write_transaction
from bot.staff_db.errors import NotFoundError
from bot.staff_db.knowledge import (
    FactConflict,
    FactView,
    KnowledgeRepository,
    KnowledgeValidationError,
    SourceVersion,
    located_errors,
)

MIN_NOTE = 3
# Fact fields that hold a figure the page states: offered next to the new quote.
FIGURE_FIELDS = ("count", "country_count", "start", "end", "years")


class Unresolved(Exception):
    """The pending version cannot become current: these facts still cite what it removes."""

    def __init__(self, items: List[FactChange]) -> None:
        self.items = items
        paths = ", ".join(item.path for item in items)
        super().__init__(f"{len(items)} fact(s) still to resolve: {paths}")


@dataclass(frozen=True)
class Resolution:
    path: str
    action: str  # updated | confirmed | retired
    who: str
    at: str  # ISO time
    note: str = ""
    data: Dict[str, Any] | None = None  # updated: the fact as acceptance will store it
    base_version: int | None = None  # updated: the fact's version it was based on


@dataclass(frozen=True)
class Review:
    """A pending version against the version it replaces, and where its review stands."""

    version: SourceVersion
    revision: int  # the live knowledge-base revision the diff was computed on
    diff: PageDiff
    resolutions: Dict[str, Resolution] = field(default_factory=dict)
    facts: Dict[str, FactView] = field(default_factory=dict)  # the flagged facts, as stored now

    @property
    def name(self) -> str:
        return self.version.name

    def holds(self, path: str) -> bool:
        """Does the recorded resolution of `path` still stand?"""
        resolution = self.resolutions.get(path)
        view = self.facts.get(path)
        if resolution is None:
            return False
        if resolution.action == "updated":  # stale once the fact was edited since
            return view is not None and view.version == resolution.base_version
        if resolution.action == "confirmed":
            return view is not None and bool(view.data.get("confirmed"))
        return view is None  # retired: gone from the knowledge base

    @property
    def unresolved(self) -> List[FactChange]:
        return [item for item in self.diff.flagged if not self.holds(item.path)]

    @property
    def resolved(self) -> List[Resolution]:
        return sorted(self.resolutions.values(), key=lambda r: r.at)


def figures(data: Mapping[str, Any]) -> Dict[str, int]:
    """The figures of a fact's data that a new quote may change (count, years...)."""
    return {
        name: data[name]
        for name in FIGURE_FIELDS
        if isinstance(data.get(name), int) and not isinstance(data.get(name), bool)
    }


def version_name(page: str, taken: set, today: dt.date) -> str:
    """A name for a new version of `page`: `beu-international-relations-2027-03-01.txt`
    (with -2, -3... when that is taken). The date is part of the name because a quote names
    the version it comes from."""
    stem = re.sub(r"(-\d{4}-\d{2}-\d{2})?(-\d+)?\.txt$", "", page)
    base = f"{stem}-{today.isoformat()}"
    name, number = f"{base}.txt", 1
    while name in taken:
        number += 1
        name = f"{base}-{number}.txt"
    return name


class PageReview:
    """The review of pending source versions, on top of the knowledge repository."""

    def __init__(self, engine: Engine, repository: KnowledgeRepository | None = None) -> None:
        self.engine = engine
        self.repository = repository or KnowledgeRepository(engine)

    # -- upload ----------------------------------------------------------------------------

    def current_pages(self) -> List[str]:
        """The source versions facts cite now (a new version replaces one of them)."""
        return sorted(v.name for v in self.repository.sources() if v.state == "current")

    def pending(self) -> List[SourceVersion]:
        return [v for v in self.repository.sources() if v.state == "pending"]

    def upload(self, page: str, text: str, who: str) -> SourceVersion:
        """Store `text` as a pending new version of the current source `page`."""
        versions = self.repository.sources()
        if page not in {v.name for v in versions if v.state == "current"}:
            raise KnowledgeValidationError({"source": f"{page!r} is not a current source page"})
        waiting = [v.name for v in versions if v.state == "pending" and v.replaces == page]
        if waiting:
            raise KnowledgeValidationError(
                {
                    "source": f"a new version of {page} ({waiting[0]}) is already waiting for "
                    "review: accept or discard it first"
                }
            )
        name = version_name(page, {v.name for v in versions}, dt.date.today())
        return self.repository.add_source(name, text, who, replaces=page)

    def discard(self, name: str) -> None:
        """Drop a pending version (a wrong file); current and old versions are never deleted."""
        table = t.kb_sources
        with write_transaction(self.engine) as connection:
            gone = connection.execute(
                delete(table).where(table.c.name == name, table.c.state == "pending")
            ).rowcount
        if not gone:
            raise NotFoundError(f"no new version {name!r} is waiting for review")

    # -- the report --------------------------------------------------------------------------

    def _pending_version(self, name: str) -> SourceVersion:
        version = self.repository.source(name)
        if version.state != "pending":
            raise NotFoundError(f"{name!r} is not waiting for review (it is {version.state})")
        return version

    def review(self, name: str) -> Review:
        version = self._pending_version(name)
        live = self.repository.current()
        if live is None or version.replaces not in live.sources:
            raise NotFoundError(f"the version {name!r} replaces is not in the knowledge base")
        diff = diff_page(live.kb, live.sources[version.replaces], version.text, version.replaces)
        resolutions = {
            path: Resolution(
                path=path,
                action=str(value.get("action", "")),
                who=str(value.get("who", "")),
                at=str(value.get("at", "")),
                note=str(value.get("note") or ""),
                data=value.get("data"),
                base_version=value.get("base_version"),
            )
            for path, value in version.resolutions.items()
        }
        facts = {}
        for path in {*(item.path for item in diff.flagged), *resolutions}:
            with contextlib.suppress(NotFoundError):  # retired since
                facts[path] = self.repository.fact(path)
        return Review(version, live.revision, diff, resolutions, facts)

    # -- resolutions -------------------------------------------------------------------------

    def _record(self, name: str, path: str, entry: Dict[str, Any]) -> None:
        """Write one resolution (with the extra keys an update needs) into the pending row."""
        table = t.kb_sources
        with write_transaction(self.engine) as connection:
            row = connection.execute(
                select(table.c.resolutions).where(table.c.name == name, table.c.state == "pending")
            ).first()
            if row is None:
                raise NotFoundError(f"no new version {name!r} is waiting for review")
            resolutions = {**(row.resolutions or {}), path: entry}
            connection.execute(
                update(table).where(table.c.name == name).values(resolutions=resolutions)
            )

    @staticmethod
    def _note(note: str, field_name: str = "note") -> str:
        note = " ".join((note or "").split())
        if len(note) < MIN_NOTE:
            raise KnowledgeValidationError(
                {field_name: f"say why, in at least {MIN_NOTE} characters"}
            )
        return note

    def update(
        self,
        name: str,
        path: str,
        quote: str,
        new_figures: Mapping[str, int],
        base_version: int,
        who: str,
        note: str = "",
    ) -> Resolution:
        """The fact will cite `quote` of the new version (with `new_figures`) from acceptance
        on. Checked now against the pending text with the whole knowledge base, as an edit is."""
        version = self._pending_version(name)
        quote = " ".join((quote or "").split())
        if not quote:
            raise KnowledgeValidationError({"quote": "the new quote cannot be empty"})
        view = self.repository.fact(path)
        if view.version != base_version:
            raise FactConflict(view, None)
        data = copy.deepcopy(view.data)
        data["quote"] = [quote]
        for key in ("confirmed", "source"):
            data.pop(key, None)
        if version.replaces != self.repository.current().kb.document.file:
            data["source"] = version.name  # not the page the document cites by default
        known = figures(view.data)
        data.update({key: value for key, value in new_figures.items() if key in known})
        self._check(path, data, version)
        entry = {
            "action": "updated",
            "who": who,
            "at": self.repository.clock().isoformat(),
            "note": " ".join((note or "").split()),
            "data": fp.plain(data),
            "base_version": base_version,
        }
        self._record(name, path, entry)
        return Resolution(path=path, **entry)

    def _check(self, path: str, data: Dict[str, Any], version: SourceVersion) -> None:
        """Validate the knowledge base with the fact citing the pending text explicitly."""
        live = self.repository.current()
        document = copy.deepcopy(live.document)
        fp.put(document, path, {**data, "source": version.name})
        sources = {**live.sources, version.name: version.text}
        try:
            validate_document(document, sources, self.repository.countries)
        except KnowledgeError as error:
            errors = located_errors(error, path)
            errors.pop("source", None)
            raise KnowledgeValidationError(errors or {"": str(error)}) from error

    def confirm(self, name: str, path: str, note: str, base_version: int, who: str) -> int:
        """Keep the fact as it is, on the word of a staff member; its quote stays, pinned to
        the version it came from when the new one is accepted."""
        self._pending_version(name)
        note = self._note(note)
        view = self.repository.fact(path)
        data = copy.deepcopy(view.data)
        data["confirmed"] = {"by": who, "date": dt.date.today().isoformat(), "note": note}
        revision = self.repository.edit_fact(path, data, base_version, who, note)
        self.repository.set_resolution(name, path, "confirmed", who, note)
        return revision

    def retire(self, name: str, path: str, reason: str, base_version: int, who: str) -> int:
        self._pending_version(name)
        reason = self._note(reason, "reason")
        revision = self.repository.retire(path, reason, base_version, who)
        self.repository.set_resolution(name, path, "retired", who, reason)
        return revision

    def reopen(self, name: str, path: str, who: str) -> None:
        """Withdraw an update decided but not applied yet (confirmations and retirements are
        edits already made: history and rollback undo those)."""
        review = self.review(name)
        resolution = review.resolutions.get(path)
        if resolution is None or resolution.action != "updated":
            raise KnowledgeValidationError({"": "only a pending update can be withdrawn"})
        self.repository.set_resolution(name, path, None, who)

    # -- acceptance --------------------------------------------------------------------------

    def accept(self, name: str, who: str) -> int:
        """Make the pending version current, with the updates staff decided; refused while a
        fact is unresolved (and by the storage if the result would not validate)."""
        review = self.review(name)
        if review.unresolved:
            raise Unresolved(review.unresolved)
        edits = {
            path: resolution.data
            for path, resolution in review.resolutions.items()
            if resolution.action == "updated" and review.holds(path) and resolution.data
        }
        return self.repository.accept_source(name, who, edits=edits)
