"""Reviewing a new version of a source page: stored as a pending version, every fact it changes
or removes resolved by staff, then made current (bot/staff_db/knowledge.py keeps the versions).

The three resolutions are ordinary knowledge-base edits, made at once and validated like any:
  - *updated*: the fact quotes the new version (`source` names the pending version, which is
    citable; it becomes the default source when accepted), with its new figures;
  - *confirmed*: the fact carries a staff confirmation (who, date, note); at acceptance its
    quote is pinned to the version it came from, so its provenance stays true;
  - *retired*: the fact is retired (kept in history, no longer answered).

What is open is worked out again from the live knowledge base each time (the page diff through
today's facts), not from a list saved at upload: a fact updated in the fact editor no longer
cites the replaced version, a retired one is gone, whichever screen did it. The `resolutions`
column of the pending `kb_sources` row keeps who decided what, when and why.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping

from sqlalchemy.engine import Engine

from bot.kb.page_diff import FactChange, PageDiff, diff_page
from bot.staff_db.errors import NotFoundError
from bot.staff_db.knowledge import (
    FactView,
    KnowledgeRepository,
    KnowledgeValidationError,
    SourceVersion,
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


@dataclass(frozen=True)
class Review:
    """A pending version against the version it replaces, and where its review stands."""

    version: SourceVersion
    revision: int  # the live knowledge-base revision the diff was computed on
    diff: PageDiff
    resolutions: Dict[str, Resolution] = field(default_factory=dict)
    # The flagged and the resolved facts, as stored now (a retired one is absent).
    facts: Dict[str, FactView] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.version.name

    def holds(self, path: str) -> bool:
        """Does the recorded resolution of `path` still stand? (A later edit may undo it.)"""
        resolution = self.resolutions.get(path)
        view = self.facts.get(path)
        if resolution is None:
            return False
        if resolution.action == "updated":
            return view is not None and view.data.get("source") == self.name
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
        """Drop a pending version (a wrong file); refused by the storage while a fact quotes
        it, and for current and old versions, which are never deleted."""
        self.repository.discard_source(name)

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
            )
            for path, value in version.resolutions.items()
        }
        facts = {}
        for path in {*(item.path for item in diff.flagged), *resolutions}:
            with contextlib.suppress(NotFoundError):  # retired since
                facts[path] = self.repository.fact(path)
        return Review(version, live.revision, diff, resolutions, facts)

    # -- resolutions -------------------------------------------------------------------------

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
    ) -> int:
        """The fact quotes `quote` of the new version, with `new_figures`: the new revision.
        Live at once (the version is citable while pending), validated like any edit."""
        version = self._pending_version(name)
        quote = " ".join((quote or "").split())
        if not quote:
            raise KnowledgeValidationError({"quote": "the new quote cannot be empty"})
        view = self.repository.fact(path)
        data = copy.deepcopy(view.data)
        data["quote"] = [quote]
        data["source"] = version.name
        data.pop("confirmed", None)
        known = figures(view.data)
        data.update({key: value for key, value in new_figures.items() if key in known})
        note = " ".join((note or "").split())
        revision = self.repository.edit_fact(
            path, data, base_version, who, note or f"quotes the new version {name}"
        )
        self.repository.set_resolution(name, path, "updated", who, note)
        return revision

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

    # -- acceptance --------------------------------------------------------------------------

    def accept(self, name: str, who: str) -> int:
        """Make the pending version current; refused while a fact is unresolved (and by the
        storage if the result would not validate)."""
        review = self.review(name)
        if review.unresolved:
            raise Unresolved(review.unresolved)
        return self.repository.accept_source(name, who)
