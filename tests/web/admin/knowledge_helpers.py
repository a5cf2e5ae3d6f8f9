"""Shared by the knowledge-base admin tests: a staff database holding today's knowledge/kb.yml."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

from sqlalchemy.engine import Engine

from bot import paths
from bot.staff_db.knowledge import KnowledgeRepository

STUDENTS = "mobility.students"


def seed_knowledge(engine: Engine) -> KnowledgeRepository:
    """The repository on `engine`, holding knowledge/kb.yml (seeded unless start-up did)."""
    repository = KnowledgeRepository(engine)
    if repository.current() is None:
        repository.import_yaml(paths.KB_FILE, paths.SOURCES, "seed")
    return repository


def confirmation(note: str = "e-mail from the registrar's office", by: str = "staff.one") -> Dict:
    return {"by": by, "date": dt.date.today().isoformat(), "note": note}


def confirmed(data: Dict[str, Any], **changes: Any) -> Dict[str, Any]:
    """`data` changed, vouched for by staff instead of a quote."""
    return {**data, **changes, "quote": [], "confirmed": confirmation()}
