"""Reviewing a new version of the source page, on SQLite and PostgreSQL: pending until every fact
it changes or removes is resolved (updated, confirmed by staff, retired), then current."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot import paths
from bot.kb.provenance import iter_cited
from bot.staff_db import tables as t
from bot.staff_db.errors import NotFoundError
from bot.staff_db.knowledge import FactConflict, KnowledgeRepository, KnowledgeValidationError
from bot.staff_db.page_review import PageReview, Unresolved

PAGES = Path(__file__).resolve().parent.parent / "kb" / "pages"
NAME = "beu-international-relations.txt"
STAFF = "staff.one"


def page(name: str) -> str:
    return (PAGES / name).read_bytes().decode("utf-8")


@pytest.fixture()
def review(engine) -> PageReview:
    repository = KnowledgeRepository(engine)
    repository.import_yaml(paths.KB_FILE, paths.SOURCES, "seed")
    return PageReview(engine, repository)


def resolutions(review: PageReview) -> dict:
    table = t.kb_sources
    with review.engine.connect() as connection:
        statement = select(table.c.resolutions).where(
            table.c.name == NAME, table.c.state == "pending"
        )
        return connection.execute(statement).scalar() or {}


def test_changed_figures_resolved_one_by_one_then_accepted(review):
    review.upload(NAME, page("changed_figures.txt"), STAFF)
    report = review.review(NAME)
    assert [f.path for f in report.unresolved] == [
        "international_students",
        "programmes.english_taught",
        "mobility.students",
    ]
    assert report.uploaded_by == STAFF
    with pytest.raises(Unresolved) as refused:
        review.accept(NAME, STAFF)
    assert len(refused.value.items) == 3
    assert review.repository.current().sources[NAME] != page("changed_figures.txt")

    english = report.facts["programmes.english_taught"]
    suggested = report.diff.changed[1].quotes[0].suggested_quote
    review.replace_quote(NAME, english.path, suggested, {"count": 24}, english.version, STAFF)
    students = report.facts["mobility.students"]
    review.replace_quote(
        NAME,
        students.path,
        "a total of 45 students have been involved",
        {"count": 45},
        students.version,
        STAFF,
        "the new page",
    )
    international = report.facts["international_students"]
    review.confirm(
        NAME, international.path, "The registry confirmed it by e-mail", international.version, STAFF
    )

    report = review.review(NAME)
    assert report.unresolved == []
    assert {path: r["action"] for path, r in resolutions(review).items()} == {
        "programmes.english_taught": "updated",
        "mobility.students": "updated",
        "international_students": "confirmed",
    }
    assert resolutions(review)["international_students"]["who"] == STAFF
    review.accept(NAME, STAFF)

    live = review.repository.current()
    assert live.sources[NAME] == page("changed_figures.txt")
    assert live.kb.programmes.english_taught.count == 24
    assert live.kb.mobility.students.count == 45
    confirmed = live.kb.international_students.confirmed
    assert confirmed.by == STAFF and confirmed.note == "The registry confirmed it by e-mail"
    assert review.pending_sources() == []
    with pytest.raises(NotFoundError):
        review.review(NAME)


def test_a_removed_project_is_retired_with_its_coordinator(review):
    review.upload(NAME, page("removed_item.txt"), STAFF)
    report = review.review(NAME)
    assert [f.path for f in report.unresolved] == [
        "projects[magnus]",
        "organisations[linkoping]",
        "projects[magnus].period",
    ]
    magnus = report.facts["projects[magnus]"]
    review.retire(NAME, magnus.path, "The project ended in 2021", magnus.version, STAFF)
    report = review.review(NAME)  # its period went with it
    assert [f.path for f in report.unresolved] == ["organisations[linkoping]"]
    linkoping = report.facts["organisations[linkoping]"]
    review.retire(NAME, linkoping.path, "Only the MAGNUS coordinator", linkoping.version, STAFF)
    review.accept(NAME, STAFF)
    live = review.repository.current()
    assert "magnus" not in {p.id for p in live.kb.projects}
    assert {r.path for r in live.kb.retired} >= {"projects[magnus]", "organisations[linkoping]"}


def test_a_bad_resolution_changes_nothing_and_says_where(review):
    review.upload(NAME, page("changed_figures.txt"), STAFF)
    report = review.review(NAME)
    english = report.facts["programmes.english_taught"]
    with pytest.raises(KnowledgeValidationError) as error:  # not a sentence of either version
        review.replace_quote(NAME, english.path, "BEU has 24 programmes", {}, english.version, STAFF)
    assert "quote" in error.value.errors
    with pytest.raises(KnowledgeValidationError) as error:
        review.confirm(NAME, english.path, "ok", english.version, STAFF)
    assert "note" in error.value.errors
    with pytest.raises(FactConflict):
        review.confirm(NAME, english.path, "Checked again", english.version - 1, STAFF)
    assert resolutions(review) == {}
    assert review.repository.fact(english.path).data == english.data
    assert len(review.review(NAME).unresolved) == 3


def test_a_fact_fixed_in_the_fact_editor_is_no_longer_open(review):
    review.upload(NAME, page("changed_figures.txt"), STAFF)
    english = review.repository.fact("programmes.english_taught")
    data = {**english.data, "count": 24, "quote": [english.data["quote"][0].replace("18", "24")]}
    review.repository.edit_fact(english.path, data, english.version, STAFF)
    assert "programmes.english_taught" not in [f.path for f in review.review(NAME).unresolved]


def test_an_identical_version_can_be_accepted_at_once(review):
    review.upload(NAME, page("reordered.txt"), STAFF)
    assert review.review(NAME).unresolved == []
    review.accept(NAME, STAFF)
    assert review.repository.current().sources[NAME] == page("reordered.txt")
    facts = list(iter_cited(review.repository.current().kb))
    assert len(facts) > 60
