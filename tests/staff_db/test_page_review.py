"""Reviewing a new version of the source page, on SQLite and PostgreSQL: pending until every fact
it changes or removes is resolved (updated, confirmed by staff, retired), then current."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.__main__ import main as bot_main
from bot.staff_db.errors import NotFoundError
from bot.staff_db.knowledge import FactConflict, KnowledgeValidationError
from bot.staff_db.page_review import PageReview, Unresolved, version_name

# The knowledge storage tests' fixtures: `repo` is a seeded repository, SQLite and PostgreSQL.
from tests.staff_db.test_knowledge import repo, seeded_sqlite  # noqa: F401

PAGES = Path(__file__).resolve().parent.parent / "kb" / "pages"
PAGE = "beu-international-relations.txt"
STAFF = "staff.one"


def page(name: str) -> str:
    return (PAGES / name).read_bytes().decode("utf-8")


@pytest.fixture()
def review(repo) -> PageReview:  # noqa: F811
    """On a knowledge base seeded from knowledge/ (SQLite: a copy of one seeded file)."""
    return PageReview(repo.engine, repo)


def test_changed_figures_resolved_one_by_one_then_accepted(review):
    name = review.upload(PAGE, page("changed_figures.txt"), STAFF).name
    assert name == f"beu-international-relations-{dt.date.today().isoformat()}.txt"
    report = review.review(name)
    assert [f.path for f in report.unresolved] == [
        "international_students",
        "programmes.english_taught",
        "mobility.students",
    ]
    assert report.version.who == STAFF and report.version.replaces == PAGE
    with pytest.raises(Unresolved) as refused:
        review.accept(name, STAFF)
    assert len(refused.value.items) == 3
    before = review.repository.current()
    assert before.kb.document.file == PAGE

    english = report.facts["programmes.english_taught"]
    suggested = report.diff.changed[1].quotes[0].suggested_quote
    review.update(name, english.path, suggested, {"count": 24}, english.version, STAFF)
    students = report.facts["mobility.students"]
    review.update(
        name,
        students.path,
        "a total of 45 students have been involved",
        {"count": 45},
        students.version,
        STAFF,
        "the new page",
    )
    # An update is live at once: the pending version is citable.
    live = review.repository.current()
    assert live.kb.mobility.students.count == 45 and live.kb.mobility.students.source == name
    assert live.kb.document.file == PAGE
    international = report.facts["international_students"]
    note = "The registry confirmed it by e-mail"
    review.confirm(name, international.path, note, international.version, STAFF)

    report = review.review(name)
    assert report.unresolved == []
    assert {path: r.action for path, r in report.resolutions.items()} == {
        "programmes.english_taught": "updated",
        "mobility.students": "updated",
        "international_students": "confirmed",
    }
    assert report.resolutions["international_students"].who == STAFF
    review.accept(name, STAFF)

    live = review.repository.current()
    assert live.kb.document.file == name
    assert live.kb.programmes.english_taught.count == 24
    assert live.kb.programmes.english_taught.quote == [suggested]
    assert live.kb.programmes.english_taught.source is None  # the new default source
    assert live.kb.mobility.students.count == 45
    confirmed = live.kb.international_students
    assert confirmed.confirmed.by == STAFF and confirmed.confirmed.note == note
    assert confirmed.source == PAGE  # its quote stays true of the version it came from
    assert review.pending() == []
    assert review.current_pages() == [name]
    with pytest.raises(NotFoundError):
        review.review(name)


def test_a_removed_project_is_retired_with_its_coordinator(review):
    name = review.upload(PAGE, page("removed_item.txt"), STAFF).name
    report = review.review(name)
    assert [f.path for f in report.unresolved] == [
        "projects[magnus]",
        "organisations[linkoping]",
        "projects[magnus].period",
    ]
    magnus = report.facts["projects[magnus]"]
    review.retire(name, magnus.path, "The project ended in 2021", magnus.version, STAFF)
    report = review.review(name)  # its period went with it
    assert [f.path for f in report.unresolved] == ["organisations[linkoping]"]
    linkoping = report.facts["organisations[linkoping]"]
    review.retire(name, linkoping.path, "Only the MAGNUS coordinator", linkoping.version, STAFF)
    review.accept(name, STAFF)
    live = review.repository.current()
    assert "magnus" not in {p.id for p in live.kb.projects}
    assert {r.path for r in live.kb.retired} >= {"projects[magnus]", "organisations[linkoping]"}


SQLITE_ONLY = pytest.mark.parametrize("repo", ["sqlite"], indirect=True)  # no database logic


@SQLITE_ONLY
def test_a_bad_resolution_changes_nothing_and_says_where(review):
    name = review.upload(PAGE, page("changed_figures.txt"), STAFF).name
    english = review.review(name).facts["programmes.english_taught"]
    with pytest.raises(KnowledgeValidationError) as error:  # not a sentence of the new version
        review.update(name, english.path, "BEU has 24 programmes", {}, english.version, STAFF)
    assert "quote" in error.value.errors
    with pytest.raises(KnowledgeValidationError) as error:
        review.confirm(name, english.path, "ok", english.version, STAFF)
    assert "note" in error.value.errors
    with pytest.raises(FactConflict):
        review.confirm(name, english.path, "Checked again", english.version - 1, STAFF)
    with pytest.raises(FactConflict):
        review.update(name, english.path, "24 specialties", {}, english.version - 1, STAFF)
    with pytest.raises(KnowledgeValidationError):  # not a list item
        review.retire(name, english.path, "Gone from the page", english.version, STAFF)
    report = review.review(name)
    assert report.resolutions == {}
    assert review.repository.fact(english.path).data == english.data
    assert len(report.unresolved) == 3

    # An update made, then undone by someone else: the fact is open again.
    quote = "The presence of 24 specialties in English"
    review.update(name, english.path, quote, {}, english.version, STAFF)
    assert english.path not in [f.path for f in review.review(name).unresolved]
    updated = review.repository.fact(english.path)
    review.repository.edit_fact(english.path, english.data, updated.version, "someone.else")
    assert english.path in [f.path for f in review.review(name).unresolved]
    assert not review.review(name).holds(english.path)


@SQLITE_ONLY
def test_one_pending_version_per_page_discard_and_the_cli(review, capsys):
    name = review.upload(PAGE, page("reordered.txt"), STAFF).name
    with pytest.raises(KnowledgeValidationError, match="already waiting"):
        review.upload(PAGE, page("changed_figures.txt"), STAFF)
    with pytest.raises(KnowledgeValidationError):
        review.upload("nope.txt", page("changed_figures.txt"), STAFF)
    review.discard(name)
    assert review.pending() == []
    cited = review.upload(PAGE, page("changed_figures.txt"), STAFF).name
    english = review.repository.fact("programmes.english_taught")
    review.update(cited, english.path, "24 specialties", {"count": 24}, english.version, STAFF)
    with pytest.raises(KnowledgeValidationError, match=r"programmes\.english_taught quote"):
        review.discard(cited)  # the live knowledge base cites it
    updated = review.repository.fact(english.path)
    review.repository.edit_fact(english.path, english.data, updated.version, STAFF)
    review.discard(cited)
    again = review.upload(PAGE, page("reordered.txt"), STAFF).name
    assert review.review(again).unresolved == []  # reordered: nothing to resolve
    review.accept(again, STAFF)
    assert review.repository.current().sources[again] == page("reordered.txt")
    # The operators' report compares with the live version in the staff database.
    url = review.engine.url.render_as_string(hide_password=False)
    argv = ["kb", "diff", str(PAGES / "changed_figures.txt"), "--json", "--database-url", url]
    assert bot_main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["compared_with"].startswith("staff database, revision")
    assert report["source"] == again
    assert len(report["changed"]) == 3
    with pytest.raises(KnowledgeValidationError, match="only a pending version"):
        review.discard(again)  # current versions are never deleted


def test_version_names():
    today = dt.date(2027, 3, 1)
    assert version_name(PAGE, set(), today) == "beu-international-relations-2027-03-01.txt"
    taken = {"beu-international-relations-2027-03-01.txt"}
    assert version_name(PAGE, taken, today) == "beu-international-relations-2027-03-01-2.txt"
    later = version_name("beu-international-relations-2027-03-01-2.txt", taken, dt.date(2028, 1, 2))
    assert later == "beu-international-relations-2028-01-02.txt"
