"""The action server understands a partner university staff added after the model was trained:
the NLU (whose model predates it) found no entity, the question's text still names it. Then it
is retired: its name is still understood, and answered "no current information". On the
session's real staff database (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from actions.exchange import ActionPartners
from bot.staff_db.db import make_engine
from bot.staff_db.knowledge import KnowledgeRepository
from tests.helpers import create_tracker, run_action, said
from tests.live_db import answering_from_the_database, reloaded

UNIVERSITY = {
    "id": "kyoto_sangyo",
    "name": "Kyoto Sangyo University",
    "aliases": ["KSU Kyoto"],
    "country": "JP",
    "kind": "university",
    "confirmed": {"by": "Test Staff", "date": dt.date(2026, 12, 1), "note": "partner's e-mail"},
}
QUESTION = "Is Kyoto Sangyo Universty one of your partners?"  # misspelt, as students type


@pytest.fixture()
def repository():
    engine = make_engine(os.environ["DATABASE_URL"])  # the session's staff database
    with answering_from_the_database():
        yield KnowledgeRepository(engine)
    engine.dispose()


def answer() -> str:
    return said(run_action(ActionPartners(), create_tracker(QUESTION, "ask_partners"))[0])


def test_a_partner_added_after_training_is_understood_then_retired_honestly(repository):
    assert "kyoto sangyo" not in answer().lower()
    start = repository.current().revision
    path = repository.add_item("organisations", UNIVERSITY, who="tests")
    programme = repository.fact("exchange_programmes[bilateral]")
    universities = [*programme.data.get("universities", []), "kyoto_sangyo"]
    linked = {**programme.data, "universities": universities}
    linked_at = repository.edit_fact(programme.path, linked, programme.version, who="tests")
    try:
        reloaded(repository)
        text = answer()
        assert "kyoto sangyo university" in text and "japan" in text, text
        assert "partner university" in text, text

        version = repository.fact(path).version
        repository.retire(path, "agreement ended", version, who="tests")
        reloaded(repository)
        text = answer()
        assert "kyoto sangyo university" in text and "no current information" in text, text
    finally:  # back as it was: brought back (no retirement record), unlinked, removed
        if repository.current().kb.retired:
            latest = repository.history(path)[-1].revision
            repository.rollback(path, linked_at, latest, who="tests")
        for changed in ("exchange_programmes[bilateral]", path):
            latest = repository.history(changed)[-1].revision
            repository.rollback(changed, start, latest, who="tests")
        reloaded(repository)
    assert "kyoto sangyo" not in answer().lower()
