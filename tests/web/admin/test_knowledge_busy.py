"""Saving a fact while the staff database is really locked: "busy, nothing was lost, try again"
within seconds, with what was typed still there, and nothing saved until it is tried again."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.future import create_engine

from tests.staff_db.locks import write_locked
from tests.web.admin.helpers import hidden
from tests.web.admin.knowledge_helpers import STUDENTS, confirmed, seed_knowledge

# The busy tests' `engine`: SQLite and PostgreSQL with a short lock wait.
from tests.web.admin.test_busy import BUSY, WAIT, engine, timed  # noqa: F401


@contextmanager
def knowledge_locked(database: Engine) -> Iterator[None]:
    """SQLite: the whole file (tests/staff_db/locks.py). PostgreSQL: another session holding
    EXCLUSIVE on the revisions, so the knowledge base reads on and every write waits."""
    if database.url.get_backend_name() == "sqlite":
        with write_locked(database):
            yield
        return
    other = create_engine(database.url.render_as_string(hide_password=False), future=True)
    with other.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("LOCK TABLE kb_revisions IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction.rollback()
    other.dispose()


@pytest.fixture()
def repository(live, engine):  # noqa: F811
    return seed_knowledge(engine)


def test_a_fact_saved_while_locked_keeps_the_text_and_saves_when_tried_again(client, repository):
    view = repository.fact(STUDENTS)
    typed = {"count": "31", "qualifier": "exactly", "text": "students went abroad, typed today",
             "provenance": "confirmed", "confirmed.note": "registrar's e-mail",
             "version": str(view.version)}  # fmt: skip
    with knowledge_locked(repository.engine):
        reply, took = timed(lambda: client.form(f"/admin/knowledge/fact?path={STUDENTS}", typed))
        api, _ = timed(
            lambda: client.api(
                "PUT",
                f"/facts?path={STUDENTS}",
                {"data": confirmed(view.data, count=32), "base_version": view.version},
            )
        )
    assert reply.status_code == 503 and took < 4 * WAIT + 2
    assert BUSY in reply.text and "students went abroad, typed today" in reply.text
    assert api.status_code == 503 and api.json()["error"] == "database_busy"
    assert repository.fact(STUDENTS).data["count"] == 30, "nothing was saved"

    again = {**typed, "csrf_token": hidden(reply.text, "csrf_token")[0]}
    assert client.post(f"/admin/knowledge/fact?path={STUDENTS}", data=again).status_code == 302
    assert repository.fact(STUDENTS).data["count"] == 31
