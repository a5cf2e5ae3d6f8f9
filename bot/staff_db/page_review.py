"""Reviewing a new version of a source page: upload it as pending, resolve every fact it
changes or removes, then make it current.

What is still unresolved is worked out again from the live knowledge base every time (the diff
of the current version against the pending one, through today's facts), not from a list saved at
upload: a fact that staff fixed in the fact editor, retired or confirmed no longer cites a gone
sentence, so it is no longer flagged whichever screen did it. The `resolutions` column of the
pending `kb_sources` row keeps who resolved what, how, when and why, for the record and for the
items whose resolution leaves them flagged (kept as they were, confirmed by staff).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.kb.page_diff import FactChange, PageDiff, diff_page
from bot.staff_db import tables as t
from bot.staff_db.db import utcnow, write_transaction
from bot.staff_db.errors import NotFoundError
from bot.staff_db.knowledge import FactView, KnowledgeRepository, KnowledgeValidationError

ACTIONS = ("updated", "confirmed", "retired")
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
    action: str
    who: str
    at: str  # ISO time, UTC
    note: str = ""


@dataclass(frozen=True)
class Review:
    """The pending version of `source` against the current one, and where its review stands."""

    source: str
    revision: int  # the live knowledge-base revision the diff was computed on
    uploaded_by: str
    uploaded_at: dt.datetime | None
    diff: PageDiff
    resolutions: Dict[str, Resolution] = field(default_factory=dict)
    facts: Dict[str, FactView] = field(default_factory=dict)  # the flagged facts, as stored now

    @property
    def unresolved(self) -> List[FactChange]:
        return [item for item in self.diff.flagged if item.path not in self.resolutions]

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


class PageReview:
    """The review of pending source versions, on top of the knowledge repository."""

    def __init__(self, engine: Engine, repository: KnowledgeRepository | None = None) -> None:
        self.engine = engine
        self.repository = repository or KnowledgeRepository(engine)

    # -- upload ----------------------------------------------------------------------------

    def source_names(self) -> List[str]:
        live = self.repository.current()
        return sorted(live.sources) if live else []

    def upload(self, name: str, text: str, who: str) -> None:
        """Store `text` as the pending version of the current source `name`."""
        if name not in self.source_names():
            raise KnowledgeValidationError({"source": f"{name!r} is not a current source page"})
        self.repository.add_source(name, text, who)

    # -- the report --------------------------------------------------------------------------

    def _pending_row(self, connection: Any, name: str) -> Any:
        table = t.kb_sources
        return connection.execute(
            select(table).where(table.c.name == name, table.c.state == "pending")
        ).first()

    def pending_sources(self) -> List[str]:
        table = t.kb_sources
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.name).where(table.c.state == "pending").order_by(table.c.name)
            )
            return [row.name for row in rows]

    def review(self, name: str) -> Review:
        live = self.repository.current()
        with self.engine.connect() as connection:
            row = self._pending_row(connection, name)
        if live is None or row is None or name not in live.sources:
            raise NotFoundError(f"no new version of {name!r} is waiting for review")
        diff = diff_page(live.kb, live.sources[name], row.text, name)
        resolutions = {
            path: Resolution(path=path, **value)
            for path, value in (row.resolutions or {}).items()
        }
        facts = {}
        for item in diff.flagged:
            try:
                facts[item.path] = self.repository.fact(item.path)
            except NotFoundError:
                pass
        return Review(
            source=name,
            revision=live.revision,
            uploaded_by=row.who,
            uploaded_at=row.at,
            diff=diff,
            resolutions=resolutions,
            facts=facts,
        )

    # -- resolutions -------------------------------------------------------------------------

    def _record(self, name: str, path: str, action: str, who: str, note: str) -> None:
        table = t.kb_sources
        with write_transaction(self.engine) as connection:
            row = self._pending_row(connection, name)
            if row is None:
                raise NotFoundError(f"no new version of {name!r} is waiting for review")
            resolutions = dict(row.resolutions or {})
            resolutions[path] = {
                "action": action,
                "who": who,
                "at": utcnow().isoformat(timespec="seconds"),
                "note": note,
            }
            connection.execute(
                update(table).where(table.c.id == row.id).values(resolutions=resolutions)
            )

    @staticmethod
    def _note(note: str, field_name: str = "note") -> str:
        note = " ".join((note or "").split())
        if len(note) < MIN_NOTE:
            raise KnowledgeValidationError(
                {field_name: f"say why, in at least {MIN_NOTE} characters"}
            )
        return note

    def replace_quote(
        self,
        name: str,
        path: str,
        quote: str,
        new_figures: Mapping[str, int],
        base_version: int,
        who: str,
        note: str = "",
    ) -> int:
        """The fact cites `quote` of the new version (and states its figures): the new revision.
        The storage validates the whole knowledge base, as for any edit."""
        quote = " ".join((quote or "").split())
        if not quote:
            raise KnowledgeValidationError({"quote": "the new quote cannot be empty"})
        view = self.repository.fact(path)
        data = copy.deepcopy(view.data)
        data["quote"] = [quote]
        data.pop("confirmed", None)
        for name_, value in new_figures.items():
            if name_ in figures(view.data):
                data[name_] = value
        revision = self.repository.edit_fact(
            path, data, base_version, who, note or f"quote from the new version of {name}"
        )
        self._record(name, path, "updated", who, note)
        return revision

    def confirm(self, name: str, path: str, note: str, base_version: int, who: str) -> int:
        """Keep the fact as it is, on the word of a staff member (no quote of the page)."""
        note = self._note(note)
        view = self.repository.fact(path)
        data = copy.deepcopy(view.data)
        data["quote"] = []
        data["confirmed"] = {"by": who, "date": dt.date.today().isoformat(), "note": note}
        revision = self.repository.edit_fact(path, data, base_version, who, note)
        self._record(name, path, "confirmed", who, note)
        return revision

    def retire(self, name: str, path: str, reason: str, base_version: int, who: str) -> None:
        reason = self._note(reason, "reason")
        self.repository.retire(path, reason, base_version, who)
        self._record(name, path, "retired", who, reason)

    # -- acceptance --------------------------------------------------------------------------

    def accept(self, name: str, who: str) -> None:
        """Make the pending version current; refused while a fact is unresolved."""
        review = self.review(name)
        if review.unresolved:
            raise Unresolved(review.unresolved)
        self.repository.accept_source(name, who)
