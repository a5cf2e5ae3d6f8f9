"""YAML export/import: stable round trip, no silent overwrite of newer edits, all-or-nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from bot.staff_db.db import make_engine, migrate
from bot.staff_db.faq import FaqRepository
from bot.staff_db.validation import ValidationError
from tests.staff_db.helpers import draft


@pytest.fixture()
def repo(engine, known_facts):
    return FaqRepository(engine, known_fact_ids=known_facts)


def fill(repo):
    first = repo.create(
        draft(
            "Where is the office?",
            phrasings=["office address"],
            answer="Line one.\nLine two with [a link](https://beu.edu.az).",
            fact_ref="projects[promig]",
            source_url="https://beu.edu.az/en",
        ),
        who="a",
    )
    repo.publish(first.id, who="a", expected_version=1)
    repo.create(draft("Bakı yataqxana?", phrasings=[], tags=[], answer="Məlum deyil."), who="a")
    return repo.list_entries()


def write(path, entries):
    path.write_text(yaml.safe_dump({"faq": entries}, allow_unicode=True), encoding="utf-8")


def test_export_is_readable_and_stable(repo, tmp_path):
    fill(repo)
    path = tmp_path / "faq.yml"
    assert repo.export_yaml(path) == 2
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)

    assert [e["question"] for e in data["faq"]] == ["Where is the office?", "Bakı yataqxana?"]
    assert "Bakı" in text  # not \u-escaped
    assert "answer: |" in text  # multi-line answers as literal blocks
    first = data["faq"][0]
    assert list(first) == [
        "question", "phrasings", "answer", "tags", "fact", "source", "owner", "as_of",
        "review_by", "state",
    ]  # fmt: skip
    assert first["fact"] == "projects[promig]"
    assert first["as_of"] == dt.date(2024, 9, 1)
    assert "fact" not in data["faq"][1]
    repo.export_yaml(tmp_path / "again.yml")
    assert (tmp_path / "again.yml").read_bytes() == path.read_bytes()


def test_round_trip_into_an_empty_database(repo, tmp_path, known_facts):
    before = fill(repo)
    path = tmp_path / "faq.yml"
    repo.export_yaml(path)
    other_engine = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    migrate(other_engine)
    other = FaqRepository(other_engine, known_fact_ids=known_facts)

    report = other.import_yaml(path, who="importer")

    assert report.created == [e.question for e in before]
    assert (report.updated, report.unchanged, report.conflicts) == ([], [], [])
    fields = ("question", "phrasings", "answer", "tags", "fact_ref", "source_url", "owner")
    fields += ("as_of", "review_by", "state")
    after = other.list_entries()
    assert [[getattr(e, f) for f in fields] for e in after] == [
        [getattr(e, f) for f in fields] for e in before
    ]
    assert [r.action for r in other.history(after[0].id)] == ["import"]
    other.export_yaml(tmp_path / "second.yml")
    assert (tmp_path / "second.yml").read_bytes() == path.read_bytes()
    other_engine.dispose()


def test_reimporting_the_same_file_changes_nothing(repo, tmp_path):
    fill(repo)
    path = tmp_path / "faq.yml"
    repo.export_yaml(path)
    marker = repo.revision_marker()

    report = repo.import_yaml(path, who="importer")

    assert report.unchanged == ["Where is the office?", "Bakı yataqxana?"]
    assert report.created == report.updated == report.conflicts == []
    assert repo.revision_marker() == marker


def test_file_edits_apply_to_entries_nobody_edited_since(repo, tmp_path):
    fill(repo)
    path = tmp_path / "faq.yml"
    repo.export_yaml(path)
    repo.import_yaml(path, who="importer")  # adopts the exported entries as imported
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["faq"][1]["answer"] = "Edited in git."
    data["faq"][1]["state"] = "published"
    write(path, data["faq"])

    report = repo.import_yaml(path, who="importer")

    assert report.updated == ["Bakı yataqxana?"]
    entry = repo.find_by_question("Bakı yataqxana?")
    assert (entry.answer, entry.state, entry.version, entry.updated_by) == (
        "Edited in git.", "published", 2, "importer"
    )  # fmt: skip
    assert [r.action for r in repo.history(entry.id)] == ["create", "import"]
    # and again: the entry is still untouched in the admin, so a second edit applies too
    data["faq"][1]["answer"] = "Edited twice."
    write(path, data["faq"])
    assert repo.import_yaml(path, who="importer").updated == ["Bakı yataqxana?"]


def test_import_never_overwrites_a_newer_database_edit(repo, tmp_path):
    write(tmp_path / "v1.yml", [_item("Q one?", "File answer one.")])
    report = repo.import_yaml(tmp_path / "v1.yml", who="importer")
    assert report.created == ["Q one?"]
    entry = repo.find_by_question("Q one?")
    staff = repo.update(entry.id, draft("Q one?", answer="Staff edit."), 1, who="staff")

    # the same old file, and a file that changed the answer too: both must leave the edit alone
    for answer in ("File answer one.", "File answer two."):
        write(tmp_path / "v2.yml", [_item("Q one?", answer)])
        report = repo.import_yaml(tmp_path / "v2.yml", who="importer")
        assert report.updated == report.created == []
        assert [(c.entry_id, c.database_version) for c in report.conflicts] == [(entry.id, 2)]
        assert repo.get(entry.id) == staff

    # an entry written in the admin and never imported is not taken over by a file either
    admin = repo.create(draft("Admin only?", phrasings=[]), who="staff")
    write(tmp_path / "v3.yml", [_item("admin ONLY", "From the file.")])
    report = repo.import_yaml(tmp_path / "v3.yml", who="importer")
    assert [c.entry_id for c in report.conflicts] == [admin.id]
    assert "never imported" in report.conflicts[0].reason
    assert repo.get(admin.id) == admin


def _item(question: str, answer: str, **extra) -> dict:
    return {
        "question": question,
        "answer": answer,
        "owner": "international office",
        "as_of": "2024-09-01",
        "review_by": dt.date(2025, 9, 1),
        **extra,
    }


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        ({"answer": ""}, "faq[1].answer"),
        ({"answer": "See [x](/relative)."}, "faq[1].answer"),
        ({"state": "live"}, "faq[1].state"),
        ({"fact": "projects[nope]"}, "faq[1].fact_ref"),
        ({"review_by": "2020-01-01"}, "faq[1].review_by"),
        ({"as_of": "yesterday"}, "faq[1].as_of"),
        ({"colour": "red"}, "faq[1].colour"),
        ({"question": "good ONE"}, "faq[1].question"),
    ],
)
def test_an_invalid_entry_imports_nothing(repo, tmp_path, engine, bad, key):
    existing = repo.create(draft("Existing?", phrasings=[]), who="a")
    entries = [_item("Good one?", "Fine."), {**_item("Second?", "Fine too."), **bad}]
    write(tmp_path / "bad.yml", entries)
    marker = repo.revision_marker()

    with pytest.raises(ValidationError) as caught:
        repo.import_yaml(tmp_path / "bad.yml", who="importer")

    assert key in caught.value.errors
    assert repo.list_entries() == [existing]
    assert repo.revision_marker() == marker


def test_a_clash_with_the_database_found_mid_import_rolls_everything_back(repo, tmp_path):
    repo.create(draft("Existing?", phrasings=["taken phrasing"]), who="a")
    entries = [
        _item("New one?", "Fine."),
        {**_item("Second?", "x"), "phrasings": ["TAKEN phrasing"]},
    ]
    write(tmp_path / "clash.yml", entries)

    with pytest.raises(ValidationError) as caught:
        repo.import_yaml(tmp_path / "clash.yml", who="importer")

    assert list(caught.value.errors) == ["faq[1].phrasings"]
    assert [e.question for e in repo.list_entries()] == ["Existing?"]


@pytest.mark.parametrize("text", ["faq: {not: a list}", "- just a list", "faq: [", ""])
def test_a_malformed_file_is_refused(repo, tmp_path, text):
    (tmp_path / "bad.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        repo.import_yaml(tmp_path / "bad.yml", who="importer")
    assert list(caught.value.errors) == ["file"]
    assert repo.list_entries() == []
