"""The live knowledge base of a process (bot/kb/live.py), on a real staff database: a published
edit is read by the polling thread and dependent caches are told; a database that can't be read
keeps the last good knowledge base and is logged once; BEU_KB_SOURCE=files pins the files."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import pytest

from bot.kb import live
from bot.kb.index import KnowledgeIndex
from bot.kb.load import load_countries, load_kb
from bot.staff_db.bootstrap import prepare_database, prepare_engine
from bot.staff_db.db import make_engine
from bot.staff_db.knowledge import KnowledgeRepository

CONFIRMED = {"by": "Test Staff", "date": dt.date(2026, 12, 1), "note": "e-mail from the office"}


@pytest.fixture(scope="module")
def countries():
    return load_countries()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A staff database seeded from knowledge/kb.yml, as `make run` prepares it."""
    path = tmp_path_factory.mktemp("live") / "staff.sqlite3"
    url = f"sqlite:///{path}"
    prepare_database(url, seed=None)  # the knowledge base only: no FAQ
    return url, path


@pytest.fixture()
def repository(database, countries):
    engine = make_engine(database[0])
    yield KnowledgeRepository(engine, countries)
    engine.dispose()


def files_index(countries):
    return lambda: KnowledgeIndex(load_kb(countries=countries), countries)


def follower(repository, countries, poll_seconds=0.05):
    return live.LiveKnowledge(
        files_index(countries), repository, lambda: countries, poll_seconds=poll_seconds
    )


def edit_students(repository, count: int) -> int:
    view = repository.fact("mobility.students")
    data = {**view.data, "count": count, "quote": [], "confirmed": CONFIRMED}
    return repository.edit_fact("mobility.students", data, view.version, who="tests")


def test_a_published_edit_is_read_in_the_background_and_caches_are_told(repository, countries):
    knowledge = follower(repository, countries)
    seen, prepared = [], []
    knowledge.on_change(seen.append)
    # a cache keyed by the index is built before the index is answered from
    knowledge.before_change(lambda index: prepared.append(knowledge.snapshot.index is index))
    try:
        first = knowledge.snapshot
        assert first.origin == "database" and first.revision is not None
        before = first.index.kb.mobility.students.count
        revision = edit_students(repository, before + 7)
        started = time.monotonic()
        while knowledge.snapshot.revision != revision:  # the polling thread, not this one
            assert time.monotonic() - started < 2, "not reloaded within 2 s"
            time.sleep(0.01)
        index = knowledge.index()
        assert index.kb.mobility.students.count == before + 7
        assert index is not first.index and seen[-1] is index and prepared == [False]
        assert not knowledge.check(), "an unchanged marker reads nothing more"
    finally:
        knowledge.stop()
        edit_students(repository, before)


def test_an_unreadable_database_keeps_the_last_good_knowledge_and_logs_once(
    database, countries, caplog
):
    url, path = database
    engine = make_engine(url)
    knowledge = follower(KnowledgeRepository(engine, countries), countries, poll_seconds=3600)
    good = knowledge.index()
    moved = path.with_name("moved-away.sqlite3")
    os.replace(path, moved)  # the file is gone: a new connection finds no tables
    engine.dispose()
    try:
        with caplog.at_level(logging.INFO, logger="bot.kb.live"):
            for _ in range(5):
                assert not knowledge.check()
            assert knowledge.index() is good
            failures = [r for r in caplog.records if "can't be read" in r.getMessage()]
            assert len(failures) == 1, "logged once, not once a poll"
    finally:
        engine.dispose()
        os.replace(moved, path)
    with caplog.at_level(logging.INFO, logger="bot.kb.live"):
        assert not knowledge.check()  # readable again, nothing changed
    assert any("can be read again" in r.getMessage() for r in caplog.records)
    knowledge.stop()


def test_a_database_without_a_knowledge_base_answers_from_the_files(tmp_path, countries):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    prepare_engine(engine, seed=None, kb_file=None)  # migrated, never seeded
    knowledge = follower(KnowledgeRepository(engine, countries), countries, poll_seconds=3600)
    assert knowledge.snapshot.origin == "files"
    assert knowledge.index().kb == load_kb(countries=countries)
    engine.dispose()


def test_the_files_can_be_pinned(monkeypatch, database):
    monkeypatch.setenv("DATABASE_URL", database[0])
    monkeypatch.setenv(live.SOURCE_ENV, "files")
    assert live.database_to_read() is None
    monkeypatch.setenv(live.SOURCE_ENV, "auto")
    assert live.database_to_read() == database[0]
    missing = database[1].parent / "never-created.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    assert live.database_to_read() is None and not missing.exists(), "never created"
