"""The Rasa server's apologies follow what staff publish: the office's e-mail address, filled in
the admin, is in the action apology (rendered at start-up, then again after a reload) and in the
store apology, in the conversation's language; before it is filled, neither invents one. On the
session's real staff database (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest

from bot.i18n import speaking
from bot.rasa_server.patches import action_timeout
from bot.rasa_server.retry import STORE_APOLOGY, store_apology
from bot.staff_db.db import make_engine
from bot.staff_db.knowledge import KnowledgeRepository
from tests.live_db import answering_from_the_database, reloaded
from tests.rasa_server.test_server_languages import _Action, tracker

E_MAIL = "incoming@beu.edu.az"
CONFIRMED = {"by": "Test Staff", "date": dt.date(2026, 12, 1), "note": "the office's own e-mail"}


@pytest.fixture()
def repository():
    engine = make_engine(os.environ["DATABASE_URL"])  # the session's staff database
    with answering_from_the_database():
        yield KnowledgeRepository(engine)
    engine.dispose()


async def _hanging(self, output_channel, nlg, tracker, domain):
    raise asyncio.TimeoutError()


def action_apology(run, language: str) -> str:
    conversation = tracker({"code": language, "alternatives": []})
    (event,) = asyncio.run(run(_Action(), None, None, conversation, None))
    return event.text


def test_the_apologies_give_the_e_mail_staff_published(repository):
    run = action_timeout.apologising(_hanging)  # rendered now, as at the server's start
    assert E_MAIL not in action_apology(run, "en") and store_apology() == STORE_APOLOGY
    view = repository.fact("office.contacts")
    data = {**view.data, "emails": [E_MAIL], "confirmed": CONFIRMED}
    start = repository.edit_fact("office.contacts", data, view.version, who="tests") - 1
    try:
        reloaded(repository)
        for language in ("en", "ru"):
            assert E_MAIL in action_apology(run, language)
            with speaking(language):
                assert E_MAIL in store_apology()
        with speaking("ru"):
            assert "Если это повторится" in store_apology()
    finally:
        version = repository.fact("office.contacts").version
        repository.rollback("office.contacts", start, version, who="tests")
        reloaded(repository)
    assert E_MAIL not in action_apology(run, "en") and store_apology() == STORE_APOLOGY
