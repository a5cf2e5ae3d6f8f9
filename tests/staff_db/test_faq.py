"""FAQ repository: writes, optimistic locking, history, rollback, atomicity; on both databases."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.staff_db import faq as faq_module
from bot.staff_db import tables as t
from bot.staff_db.errors import NotFoundError
from bot.staff_db.faq import ConflictError, FaqRepository
from bot.staff_db.validation import ValidationError
from tests.staff_db.helpers import draft


@pytest.fixture()
def repo(engine, known_facts):
    return FaqRepository(engine, known_fact_ids=known_facts)


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_create_stores_a_draft_at_version_one(repo):
    entry = repo.create(draft(question="  Where is the office?  "), who="aysel")

    assert entry.id > 0
    assert entry.question == "Where is the office?"
    assert entry.state == "draft"
    assert entry.version == 1
    assert entry.updated_by == "aysel"
    assert entry.updated_at.tzinfo is not None
    assert entry.phrasings == ("exchange application", "how to apply for exchange")
    assert repo.get(entry.id) == entry
    assert repo.published_entries() == []
    assert [(r.version, r.action, r.who) for r in repo.history(entry.id)] == [
        (1, "create", "aysel")
    ]


def test_create_fills_dates_staff_leave_empty(repo):
    entry = repo.create(draft(as_of=None, review_by=None), who="aysel")
    assert entry.review_by == entry.as_of.replace(year=entry.as_of.year + 1)


def test_update_bumps_the_version_and_keeps_the_state(repo):
    entry = repo.publish(repo.create(draft(), who="a").id, who="a", expected_version=1)
    changed = dataclasses.replace(entry.draft(), answer="Write to the office.", state="draft")

    updated = repo.update(entry.id, changed, expected_version=2, who="b")

    assert (updated.version, updated.answer, updated.state) == (
        3,
        "Write to the office.",
        "published",
    )
    assert updated.updated_by == "b"
    assert repo.published_entries() == [updated]


def test_saving_the_same_content_writes_no_version(repo):
    entry = repo.create(draft(), who="a")
    marker = repo.revision_marker()
    assert repo.update(entry.id, entry.draft(), expected_version=1, who="b") == entry
    assert repo.revision_marker() == marker
    assert len(repo.history(entry.id)) == 1


def test_publish_and_unpublish(repo):
    entry = repo.create(draft(), who="a")

    published = repo.publish(entry.id, who="b", expected_version=1)
    assert (published.state, published.version) == ("published", 2)
    assert [e.id for e in repo.published_entries()] == [entry.id]

    unpublished = repo.unpublish(entry.id, who="c", expected_version=2)
    assert (unpublished.state, unpublished.version) == ("draft", 3)
    assert repo.published_entries() == []
    assert [r.action for r in repo.history(entry.id)] == ["create", "publish", "unpublish"]


def test_stale_version_raises_conflict_with_both_sides_and_writes_nothing(repo, engine):
    entry = repo.create(draft(), who="a")
    theirs = repo.update(
        entry.id, dataclasses.replace(entry.draft(), answer="Theirs."), expected_version=1, who="a"
    )
    mine = dataclasses.replace(entry.draft(), answer="Mine.")
    revisions = count(engine, t.faq_revisions)
    marker = repo.revision_marker()

    with pytest.raises(ConflictError) as caught:
        repo.update(entry.id, mine, expected_version=1, who="b")

    assert caught.value.current == theirs
    assert caught.value.current.answer == "Theirs."
    assert caught.value.attempted.answer == "Mine."
    assert caught.value.expected_version == 1
    assert repo.get(entry.id) == theirs
    assert count(engine, t.faq_revisions) == revisions
    assert repo.revision_marker() == marker


def test_stale_publish_is_a_conflict_too(repo):
    entry = repo.create(draft(), who="a")
    repo.update(entry.id, dataclasses.replace(entry.draft(), answer="New."), 1, who="a")
    with pytest.raises(ConflictError):
        repo.publish(entry.id, who="b", expected_version=1)
    assert repo.get(entry.id).state == "draft"


def test_history_keeps_every_snapshot_and_rollback_makes_a_new_version(repo):
    entry = repo.create(draft(answer="First answer."), who="a")
    repo.publish(entry.id, who="a", expected_version=1)
    repo.update(entry.id, draft(answer="Second answer."), expected_version=2, who="b")
    repo.unpublish(entry.id, who="c", expected_version=3)

    rolled = repo.rollback(entry.id, to_version=2, who="d", expected_version=4)

    assert (rolled.version, rolled.answer, rolled.state) == (5, "First answer.", "published")
    history = repo.history(entry.id)
    assert [(r.version, r.action, r.who) for r in history] == [
        (1, "create", "a"),
        (2, "publish", "a"),
        (3, "edit", "b"),
        (4, "unpublish", "c"),
        (5, "rollback", "d"),
    ]
    assert history[2].entry().answer == "Second answer."
    assert history[2].snapshot["answer"] == "Second answer."
    assert history[4].entry() == rolled == repo.get(entry.id)


def test_rollback_checks_the_version_and_the_target(repo):
    entry = repo.create(draft(), who="a")
    repo.update(entry.id, draft(answer="Changed."), expected_version=1, who="a")
    with pytest.raises(ConflictError):
        repo.rollback(entry.id, to_version=1, who="b", expected_version=1)
    with pytest.raises(NotFoundError):
        repo.rollback(entry.id, to_version=9, who="b", expected_version=2)
    assert repo.get(entry.id).answer == "Changed."


def test_missing_entry_is_not_found(repo):
    with pytest.raises(NotFoundError):
        repo.get(404)
    with pytest.raises(NotFoundError):
        repo.update(404, draft(), expected_version=1, who="a")
    with pytest.raises(NotFoundError):
        repo.history(404)


def test_list_searches_question_phrasings_answer_and_tags(repo):
    visa = repo.create(
        draft(
            "Do I need a visa?", phrasings=["visa rules"], answer="Ask the embassy.", tags=["Visa"]
        ),
        who="a",
    )
    dorm = repo.create(
        draft("Is there a dormitory?", phrasings=["yataqxana"], answer="Not listed.", tags=[]),
        who="a",
    )
    repo.publish(dorm.id, who="a", expected_version=1)

    assert repo.list_entries() == [visa, repo.get(dorm.id)]
    assert [e.id for e in repo.list_entries("VISA")] == [visa.id]
    assert [e.id for e in repo.list_entries("embassy")] == [visa.id]
    assert [e.id for e in repo.list_entries("yataqxana")] == [dorm.id]
    assert [e.id for e in repo.list_entries("dormitory listed")] == [dorm.id]
    assert repo.list_entries("visa dormitory") == []
    assert [e.id for e in repo.list_entries(state="draft")] == [visa.id]
    assert [e.id for e in repo.list_entries("visa", state="published")] == []


def test_find_by_question_ignores_case_spacing_and_final_mark(repo):
    entry = repo.create(draft("Where is the Office?"), who="a")
    assert repo.find_by_question("  where is   the office ") == entry
    assert repo.find_by_question("where is the dean") is None


def test_revision_marker_moves_on_every_write(repo):
    before = repo.revision_marker()
    entry = repo.create(draft(), who="a")
    after_create = repo.revision_marker()
    repo.publish(entry.id, who="a", expected_version=1)
    after_publish = repo.revision_marker()
    assert before < after_create < after_publish


def test_no_unicode_escaping_in_search_or_snapshot(repo):
    entry = repo.create(draft("Bakı ofisi harada?", answer="Bakı, Xırdalan."), who="a")
    assert [e.id for e in repo.list_entries("bakı")] == [entry.id]
    assert repo.history(entry.id)[0].snapshot["question"] == "Bakı ofisi harada?"


# -- atomicity ---------------------------------------------------------------------------


def _fail(*_args, **_kwargs):
    raise RuntimeError("crash between the entry write and the revision write")


def test_a_crash_during_publish_leaves_the_old_answer_live(repo, engine, monkeypatch):
    entry = repo.publish(repo.create(draft(answer="Old answer."), who="a").id, "a", 1)
    edited = dataclasses.replace(entry.draft(), answer="New answer.")
    revisions = count(engine, t.faq_revisions)
    marker = repo.revision_marker()
    monkeypatch.setattr(faq_module, "_insert_revision", _fail)

    with pytest.raises(RuntimeError):
        repo.update(entry.id, edited, expected_version=2, who="b")
    with pytest.raises(RuntimeError):
        repo.unpublish(entry.id, who="b", expected_version=2)

    assert repo.get(entry.id) == entry
    assert [e.answer for e in repo.published_entries()] == ["Old answer."]
    assert count(engine, t.faq_revisions) == revisions
    assert repo.revision_marker() == marker


def test_a_crash_during_create_leaves_no_entry(repo, engine, monkeypatch):
    monkeypatch.setattr(faq_module, "_bump_marker", _fail)
    with pytest.raises(RuntimeError):
        repo.create(draft(), who="a")
    assert count(engine, t.faq_entries) == 0
    assert count(engine, t.faq_revisions) == 0


# -- validation through the repository ------------------------------------------------------


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.errors


def test_duplicate_questions_are_refused_against_other_entries(repo):
    first = repo.create(draft("How do I apply?", phrasings=["application process"]), who="a")

    assert "question" in errors_of(lambda: repo.create(draft("  HOW do i   apply "), who="a"))
    assert "question" in errors_of(
        lambda: repo.create(draft("Application  Process?", phrasings=[]), who="a")
    )
    assert "phrasings" in errors_of(
        lambda: repo.create(draft("Other?", phrasings=["how do I apply"]), who="a")
    )
    # an entry may keep its own question and phrasings when edited
    again = repo.update(first.id, dataclasses.replace(first.draft(), answer="Edited."), 1, "a")
    assert again.version == 2
    second = repo.create(draft("Other question?", phrasings=[]), who="a")
    assert "question" in errors_of(
        lambda: repo.update(second.id, draft("How do I apply", phrasings=[]), 1, "a")
    )
    assert repo.get(second.id).question == "Other question?"


def test_invalid_drafts_write_nothing(repo, engine):
    problems = errors_of(
        lambda: repo.create(draft(answer="", fact_ref="nope", state="live"), who="a")
    )
    assert set(problems) == {"answer", "fact_ref", "state"}
    assert count(engine, t.faq_entries) == 0


def test_fact_ref_must_name_a_known_fact(repo):
    entry = repo.create(draft(fact_ref="projects[promig]"), who="a")
    assert entry.fact_ref == "projects[promig]"
    assert "fact_ref" in errors_of(lambda: repo.create(draft("Q2?", fact_ref="projects[x]"), "a"))


def test_concurrent_editors_of_one_version_exactly_one_wins(repo):
    entry = repo.create(draft(), who="a")
    barrier = threading.Barrier(6)

    def edit(index: int) -> str:
        barrier.wait()
        try:
            repo.update(entry.id, draft(answer=f"Answer {index}."), expected_version=1, who="x")
        except ConflictError:
            return "conflict"
        return "won"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(edit, range(6)))

    assert sorted(outcomes) == ["conflict"] * 5 + ["won"]
    assert repo.get(entry.id).version == 2
    assert [r.version for r in repo.history(entry.id)] == [1, 2]
