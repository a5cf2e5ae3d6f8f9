"""The live knowledge base in the staff database, on SQLite and PostgreSQL (the `engine`
fixture): every write validates the whole knowledge base as `make kb` does, errors say where,
nothing half-written, concurrent editors caught, history kept, import never over an admin edit."""

from __future__ import annotations

import copy
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import delete

from bot import paths
from bot.kb.index import KnowledgeIndex
from bot.kb.load import load_countries, load_kb
from bot.kb.schema import PROVENANCE_REQUIRED
from bot.staff_db import tables as t
from bot.staff_db.db import make_engine, migrate, write_transaction
from bot.staff_db.knowledge import (
    FactConflict,
    KnowledgeRepository,
    KnowledgeValidationError,
    NotFoundError,
)
from tests.staff_db.conftest import _reset as reset

COUNTRIES = load_countries()
CONFIRMED = {"by": "Aysel Mammadova", "date": "2026-12-01", "note": "e-mail from the registrar"}


def seed(engine) -> KnowledgeRepository:
    """A repository seeded from knowledge/kb.yml, as bootstrap seeds an empty database."""
    repository = KnowledgeRepository(engine, countries=COUNTRIES)
    assert repository.revision_marker() is None and repository.current() is None
    report = repository.import_yaml(paths.KB_FILE, paths.SOURCES, who="seed")
    assert report.revision == 1 and report.sources_added == ["beu-international-relations.txt"]
    return repository


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory) -> Path:
    """One seeded SQLite file; each test gets a copy (cheaper than migrating and seeding)."""
    path = tmp_path_factory.mktemp("kb") / "seeded.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    seed(engine)
    engine.dispose()  # the last connection closed: WAL checkpointed into the file
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request, tmp_path, seeded_sqlite) -> Iterator[KnowledgeRepository]:
    if request.param == "sqlite":
        shutil.copy(seeded_sqlite, tmp_path / "staff.sqlite3")
        engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
        repository = KnowledgeRepository(engine, countries=COUNTRIES)
    else:
        url, seeded = request.getfixturevalue("postgres_migrated")
        reset(url, seeded)
        engine = make_engine(url)
        repository = seed(engine)
    yield repository
    engine.dispose()


def edit(repo: KnowledgeRepository, path: str, who: str = "alice", **changes) -> int:
    view = repo.fact(path)
    return repo.edit_fact(path, {**view.data, **changes}, view.version, who)


def refused(repo: KnowledgeRepository, path: str, **changes) -> dict:
    """The located errors of an edit, after checking that it changed nothing at all."""
    marker, before = repo.revision_marker(), repo.fact(path)
    with pytest.raises(KnowledgeValidationError) as error:
        edit(repo, path, **changes)
    assert repo.revision_marker() == marker
    assert repo.fact(path) == before
    return error.value.errors


def test_the_seeded_knowledge_base_is_kb_yml_with_every_fact_addressable(repo):
    live = repo.current()
    assert live.revision == 1 and repo.revision_marker() == "1"
    assert live.kb.international_students.count == 95
    assert set(live.sources) == {"beu-international-relations.txt"}
    paths_seen = [f.path for f in repo.facts()]
    for path in ("organisations[graz]", "projects[promig].events[2]", "mobility.students",
                 "exchange_programmes[erasmus_ka1].partner_claims[0]", "office.contacts",
                 "exchange_programmes[erasmus_ka1]"):  # fmt: skip
        assert path in paths_seen
    students = repo.fact("mobility.students")
    assert (students.kind, students.data["count"], students.version) == ("Count", 30, 1)
    assert (students.as_of, str(students.review_by)) == ("2019", "2027-06-30")
    with pytest.raises(NotFoundError):
        repo.fact("projects[nothing]")


def test_an_edit_is_a_new_revision_that_moves_the_marker(repo):
    revision = edit(repo, "mobility.students", count=31, quote=[], confirmed=CONFIRMED)
    assert revision == 2 and repo.revision_marker() == "2"
    assert repo.current().kb.mobility.students.count == 31
    assert repo.fact("mobility.students").version == 2
    assert repo.fact("mobility.staff").version == 1  # untouched facts keep their version
    assert repo.fact("mobility.students").owner == "Aysel Mammadova"
    # the same content again writes nothing
    assert edit(repo, "mobility.students") == 2


def test_schema_rejections_name_the_field(repo):
    assert refused(repo, "mobility.students", count=-1) == {
        "count": "ensure this value is greater than or equal to 0"
    }
    errors = refused(repo, "projects[promig]", coordinator="oxford")
    assert errors == {"coordinator": "project promig: unknown organisation 'oxford'"}
    errors = refused(repo, "mobility.students", quote=["A total of 300 students went abroad."])
    assert "quote not found in beu-international-relations.txt" in errors["quote"]
    errors = refused(repo, "office.contacts", emails=["office at beu"], confirmed=CONFIRMED)
    assert errors == {"emails[0]": "'office at beu' is not an e-mail address"}
    errors = refused(repo, "office.contacts", website="javascript:alert(1)", confirmed=CONFIRMED)
    assert list(errors) == ["website"]
    errors = refused(repo, "cooperation.overview", text="See [the form](javascript:alert(1)).")
    assert list(errors) == ["text"] and "broken link" in errors["text"]
    errors = refused(repo, "organisations[graz]", country="XX")
    assert errors == {"country": "unknown country code 'XX'"}
    errors = refused(repo, "organisations[graz]", aliases=["Graz", "\x00\x01PK"])
    assert errors == {"aliases[1]": "contains control characters: paste plain text"}
    assert list(refused(repo, "cooperation.overview", text="x" * 6000)) == ["text"]
    assert refused(repo, "organisations[graz]", id="laquila") == {"id": "'laquila' is already used"}


def test_provenance_is_a_quote_or_a_staff_confirmation(repo):
    assert refused(repo, "mobility.students", quote=[]) == {"quote": PROVENANCE_REQUIRED}
    errors = refused(repo, "mobility.students", quote=[], confirmed={**CONFIRMED, "note": "ok"})
    assert list(errors) == ["confirmed.note"]
    edit(repo, "mobility.students", count=33, quote=[], confirmed=CONFIRMED)
    fact = repo.current().kb.mobility.students
    assert (fact.count, fact.quote, fact.confirmed.by) == (33, [], "Aysel Mammadova")


def test_contacts_need_a_confirmation_once_filled_and_reach_the_answers(repo):
    errors = refused(repo, "office.contacts", emails=["intl@beu.edu.az"])
    assert "staff confirmation" in errors[""]
    edit(
        repo,
        "office.contacts",
        emails=["intl@beu.edu.az"],
        phone="+994 12 000 00 00",
        address="AZ0102, Baku, Hasan Aliyev 120",
        opening_hours="Mon-Fri 9:00-18:00",
        confirmed=CONFIRMED,
    )
    contacts = repo.current().kb.office.contacts
    assert contacts.filled() and contacts.emails == ["intl@beu.edu.az"]


def test_two_editors_on_one_version_the_second_gets_a_conflict(repo):
    first = repo.fact("mobility.students")
    mine = {**first.data, "count": 34, "quote": [], "confirmed": CONFIRMED}
    theirs = {**first.data, "count": 35, "quote": [], "confirmed": CONFIRMED}
    repo.edit_fact(first.path, mine, first.version, "alice")
    with pytest.raises(FactConflict) as conflict:
        repo.edit_fact(first.path, theirs, first.version, "bob")
    assert conflict.value.current.data["count"] == 34
    assert conflict.value.attempted["count"] == 35
    assert repo.current().kb.mobility.students.count == 34


def test_simultaneous_editors_queue_and_exactly_one_wins(repo):
    """Both read version 1 and write at once: the marker's row lock queues them, the second
    sees the first's revision and gets a conflict (never a duplicate revision or a lost edit)."""
    base = repo.fact("mobility.students")
    start = threading.Barrier(2)
    outcomes: dict = {}

    def write(who: str, count: int) -> None:
        data = {**base.data, "count": count, "quote": [], "confirmed": CONFIRMED}
        start.wait()
        try:
            outcomes[who] = repo.edit_fact(base.path, data, base.version, who)
        except FactConflict as conflict:
            outcomes[who] = conflict

    threads = [threading.Thread(target=write, args=(w, c)) for w, c in (("a", 50), ("b", 51))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes.values()) == ["FactConflict", "int"]
    winner = next(w for w, o in outcomes.items() if isinstance(o, int))
    assert repo.current().kb.mobility.students.count == {"a": 50, "b": 51}[winner]
    assert repo.revision_marker() == "2"


def test_history_and_rollback(repo):
    edit(repo, "mobility.students", count=40, quote=[], confirmed=CONFIRMED)
    edit(repo, "mobility.staff", count=9, quote=[], confirmed=CONFIRMED)
    edit(repo, "mobility.students", who="bob", count=41)
    history = repo.history("mobility.students")
    assert [(h.revision, h.action, h.who, h.data["count"]) for h in history] == [
        (1, "seed", "seed", 30),
        (2, "edit", "alice", 40),
        (4, "edit", "bob", 41),
    ]
    current = repo.fact("mobility.students")
    with pytest.raises(FactConflict):
        repo.rollback("mobility.students", 1, base_version=2, who="carol")
    revision = repo.rollback("mobility.students", 1, current.version, "carol")
    assert revision == 5
    assert repo.current().kb.mobility.students.count == 30
    assert repo.current().kb.mobility.staff.count == 9  # only that fact went back
    assert repo.history("mobility.students")[-1].action == "rollback"


def test_add_a_partner_in_a_new_country_and_a_project(repo):
    tohoku = {"id": "tohoku", "name": "Tohoku University", "aliases": ["Tohoku"],
              "country": "JP", "kind": "university", "confirmed": CONFIRMED}  # fmt: skip
    path = repo.add_item("organisations", tohoku, "alice")
    assert path == "organisations[tohoku]"
    erasmus = repo.fact("exchange_programmes[erasmus_ka1]")
    with pytest.raises(KnowledgeValidationError) as error:
        repo.edit_fact(
            erasmus.path, {**erasmus.data, "universities": ["tohku"]}, erasmus.version, "a"
        )
    assert error.value.errors == {
        "universities[0]": "exchange erasmus_ka1: unknown organisation 'tohku'"
    }
    repo.edit_fact(erasmus.path, {**erasmus.data, "universities": ["tohoku"]}, erasmus.version, "a")
    index = KnowledgeIndex(repo.current().kb, COUNTRIES)
    assert index.organisation("Tohoku").country == "JP"
    assert index.exchange("erasmus_ka1").universities == ["tohoku"]

    project = {"id": "quantum", "name": "Quantum Skills", "acronym": "QSKILL",
               "programme": "Erasmus+ KA2", "role": "partner", "coordinator": "tohoku",
               "confirmed": CONFIRMED}  # fmt: skip
    assert repo.add_item("projects", project, "alice") == "projects[quantum]"
    with pytest.raises(KnowledgeValidationError) as error:
        repo.add_item("projects", {**project, "name": "Another"}, "alice")
    assert "already used" in error.value.errors["id"]
    assert KnowledgeIndex(repo.current().kb, COUNTRIES).project("QSKILL").id == "quantum"


def test_retire_keeps_history_and_the_name(repo):
    magnus = repo.fact("projects[magnus]")
    revision = repo.retire("projects[magnus]", "the project ended in 2021", magnus.version, "alice")
    kb = repo.current().kb
    assert "magnus" not in {p.id for p in kb.projects}
    retired = kb.retired[0]
    assert (retired.path, retired.kind, retired.by, retired.reason) == (
        "projects[magnus]",
        "Project",
        "alice",
        "the project ended in 2021",
    )
    assert retired.snapshot == magnus.data
    assert KnowledgeIndex(kb, COUNTRIES).retired("Magnus") == retired
    assert KnowledgeIndex(kb, COUNTRIES).project("Magnus") is None
    history = repo.history("projects[magnus]")
    assert [(h.action, h.data is None) for h in history] == [("seed", False), ("retire", True)]
    with pytest.raises(NotFoundError):
        repo.fact("projects[magnus]")
    # brought back by a rollback to the revision before
    repo.rollback("projects[magnus]", 1, revision, "bob")
    kb = repo.current().kb
    assert "magnus" in {p.id for p in kb.projects} and kb.retired == []


def test_an_organisation_a_project_names_cannot_be_retired(repo):
    tbilisi = repo.fact("organisations[tbilisi_state]")
    with pytest.raises(KnowledgeValidationError) as error:
        repo.retire(tbilisi.path, "no longer a partner", tbilisi.version, "alice")
    assert error.value.errors == {
        "": "projects[promig].coordinator: project promig: unknown organisation 'tbilisi_state'"
    }
    assert repo.revision_marker() == "1"


def test_export_then_import_changes_nothing(repo, tmp_path):
    written = repo.export_yaml(tmp_path / "kb.yml", tmp_path / "sources")
    assert (tmp_path / "kb.yml").read_text("utf-8") != ""
    assert len(written) == 2
    report = repo.import_yaml(tmp_path / "kb.yml", tmp_path / "sources", who="dev")
    assert (report.revision, report.changed, report.skipped) == (None, [], [])
    # over the real file (comments and all): same bytes when nothing changed
    shutil.copy(paths.KB_FILE, tmp_path / "kb.yml")
    repo.export_yaml(tmp_path / "kb.yml", tmp_path / "sources")
    assert (tmp_path / "kb.yml").read_bytes() == paths.KB_FILE.read_bytes()


def test_staff_edits_export_to_a_valid_kb_yml_that_imports_as_no_change(repo, tmp_path):
    edit(repo, "mobility.students", count=44, quote=[], confirmed=CONFIRMED)
    magnus = repo.fact("projects[magnus]")
    repo.retire(magnus.path, "the project ended", magnus.version, "alice")
    tohoku = {"id": "tohoku", "name": "Tohoku University", "aliases": ["Tohoku"], "country": "JP",
             "kind": "university", "confirmed": CONFIRMED}  # fmt: skip
    repo.add_item("organisations", tohoku, "alice")
    shutil.copy(paths.KB_FILE, tmp_path / "kb.yml")
    repo.export_yaml(tmp_path / "kb.yml", tmp_path / "sources")
    text = (tmp_path / "kb.yml").read_text("utf-8")
    assert "# BEU international-relations knowledge base." in text  # comments kept
    assert "date: 2026-12-01" in text  # dates stay YAML dates, as staff would write them
    assert "    aliases: [Tohoku]\n" in text  # a short list on one line, like the others
    kb = load_kb(tmp_path / "kb.yml", tmp_path / "sources", COUNTRIES)  # what `make kb` reads
    assert kb.mobility.students.count == 44 and kb.retired[0].path == "projects[magnus]"
    marker = repo.revision_marker()
    report = repo.import_yaml(tmp_path / "kb.yml", tmp_path / "sources", who="dev")
    assert (report.changed, report.skipped) == ([], [])
    assert repo.current().document == repo.revision(int(marker))


def test_import_never_overwrites_a_newer_admin_edit(repo, tmp_path):
    shutil.copytree(paths.SOURCES, tmp_path / "sources")
    edit(repo, "mobility.students", count=42, quote=[], confirmed=CONFIRMED)
    # a developer edits kb.yml (an older copy, without the admin's edit): staff count and a name
    text = paths.KB_FILE.read_text("utf-8")
    text = text.replace("name: University of Graz", "name: University of Graz (Uni Graz)")
    text = text.replace("count: 30\n", "count: 29\n")  # mobility.students, changed on both sides
    (tmp_path / "kb.yml").write_text(text, "utf-8")
    report = repo.import_yaml(tmp_path / "kb.yml", tmp_path / "sources", who="dev")
    kb = repo.current().kb
    assert kb.mobility.students.count == 42  # the admin's edit stands
    assert {o.id: o.name for o in kb.organisations}["graz"] == "University of Graz (Uni Graz)"
    assert report.changed == ["organisations[graz]"]
    assert [path for path, _ in report.skipped] == ["mobility.students"]
    assert "merge by hand" in report.skipped[0][1]
    # importing the same file again: the admin's edit is still reported, never applied
    again = repo.import_yaml(tmp_path / "kb.yml", tmp_path / "sources", who="dev")
    assert [path for path, _ in again.skipped] == ["mobility.students"]
    assert repo.current().kb.mobility.students.count == 42


def test_an_invalid_import_writes_nothing(repo, tmp_path):
    shutil.copytree(paths.SOURCES, tmp_path / "sources")
    text = paths.KB_FILE.read_text("utf-8").replace("coordinator: laquila", "coordinator: oxford")
    (tmp_path / "kb.yml").write_text(text, "utf-8")
    with pytest.raises(KnowledgeValidationError) as error:
        repo.import_yaml(tmp_path / "kb.yml", tmp_path / "sources", who="dev")
    assert error.value.errors == {
        "projects[pawer].coordinator": "project pawer: unknown organisation 'oxford'"
    }
    assert repo.revision_marker() == "1"


def test_an_import_naming_a_source_outside_the_folder_is_refused(repo, tmp_path):
    text = paths.KB_FILE.read_text("utf-8").replace(
        "file: beu-international-relations.txt", "file: ../../etc/passwd"
    )
    (tmp_path / "kb.yml").write_text(text, "utf-8")
    with pytest.raises(KnowledgeValidationError) as error:
        repo.import_yaml(tmp_path / "kb.yml", paths.SOURCES, who="dev")
    assert "'../../etc/passwd'" in error.value.errors[""]


def test_a_new_page_version_is_pending_until_accepted(repo):
    page = repo.current().sources["beu-international-relations.txt"]
    new_page = page.replace("95 students from 17 countries", "120 students from 17 countries")
    with pytest.raises(KnowledgeValidationError) as error:
        repo.add_source("beu-2027.txt", "PK\x03\x04\x00\x00binary", "alice")
    assert "not text" in error.value.errors["text"]
    with pytest.raises(KnowledgeValidationError) as error:
        repo.add_source("beu-2027.txt", "x" * 300_000, "alice")
    assert "the limit is" in error.value.errors["text"]
    with pytest.raises(KnowledgeValidationError) as error:
        repo.add_source("../kb.yml", new_page, "alice")
    assert list(error.value.errors) == ["name"]
    version = repo.add_source("beu-2027.txt", new_page, "alice")
    assert (version.state, version.replaces) == ("pending", "beu-international-relations.txt")
    assert repo.revision_marker() == "1"  # nothing the assistant says has changed

    # the students fact's quote is not in the new version: accepting now is refused
    with pytest.raises(KnowledgeValidationError) as error:
        repo.accept_source("beu-2027.txt", "alice")
    assert list(error.value.errors) == ["international_students.quote"]
    assert repo.source("beu-2027.txt").state == "pending"

    resolved = repo.set_resolution(
        "beu-2027.txt", "international_students", "keep", "alice", "ok", base_version=1
    )
    assert resolved.resolutions["international_students"]["action"] == "keep"
    assert resolved.resolutions["international_students"]["base_version"] == 1
    edit(repo, "international_students", confirmed=CONFIRMED)  # kept, with staff confirmation
    revision = repo.accept_source("beu-2027.txt", "alice")
    live = repo.current()
    assert live.revision == revision and live.kb.document.file == "beu-2027.txt"
    assert live.kb.international_students.source == "beu-international-relations.txt"
    assert live.kb.mobility.students.source is None  # its quote is in the new version
    states = {v.name: v.state for v in repo.sources()}
    assert states == {"beu-2027.txt": "current", "beu-international-relations.txt": "old"}


def test_bootstrap_seeds_once_and_reimports_a_changed_kb_yml(engine, tmp_path, caplog):
    from bot.staff_db.bootstrap import prepare_engine

    kb_file, sources = tmp_path / "kb.yml", tmp_path / "sources"
    shutil.copy(paths.KB_FILE, kb_file)
    shutil.copytree(paths.SOURCES, sources)
    assert "kb.yml imported" in prepare_engine(engine, None, kb_file, sources)
    assert "kb.yml" not in prepare_engine(engine, None, kb_file, sources)  # unchanged: no work
    repo = KnowledgeRepository(engine, countries=COUNTRIES)
    edit(repo, "mobility.staff", count=12, quote=[], confirmed=CONFIRMED)
    kb_file.write_text(kb_file.read_text("utf-8").replace("count: 40\n", "count: 41\n"), "utf-8")
    summary = prepare_engine(engine, None, kb_file, sources)
    assert "1 skipped" in summary
    assert "mobility.staff kept as in the staff database" in caplog.text
    assert repo.current().kb.mobility.staff.count == 12


def test_the_stored_document_is_independent_of_what_callers_hold(repo):
    view = repo.fact("mobility.students")
    data = copy.deepcopy(view.data)
    view.data["count"] = 999  # a caller mutating its copy changes nothing stored
    assert repo.fact("mobility.students").data == data


def test_a_pending_version_is_citable_and_not_discarded_while_cited(repo):
    page = repo.current().sources["beu-international-relations.txt"]
    new_page = page.replace("a total of 30 students", "a total of 36 students")
    repo.add_source("beu-2027.txt", new_page, "alice")
    quote = "Over the last 4 semesters through these exchange programs, a total of 36 students"
    edit(repo, "mobility.students", count=36, quote=[quote], source="beu-2027.txt")
    with pytest.raises(KnowledgeValidationError) as error:
        repo.discard_source("beu-2027.txt")
    assert "mobility.students" in error.value.errors[""]
    edit(repo, "mobility.students", count=36, quote=[], source=None, confirmed=CONFIRMED)
    repo.discard_source("beu-2027.txt")
    assert [v.name for v in repo.sources()] == ["beu-international-relations.txt"]
    with pytest.raises(KnowledgeValidationError):
        repo.discard_source("beu-international-relations.txt")  # never the current version


def test_a_kb_yml_moved_to_a_new_page_version_makes_it_current(repo, tmp_path):
    (tmp_path / "sources").mkdir()
    page = repo.current().sources["beu-international-relations.txt"]
    (tmp_path / "sources" / "beu-2027.txt").write_text(page, "utf-8")
    text = paths.KB_FILE.read_text("utf-8").replace(
        "file: beu-international-relations.txt", "file: beu-2027.txt"
    )
    (tmp_path / "kb.yml").write_text(text, "utf-8")
    report = repo.import_yaml(tmp_path / "kb.yml", tmp_path / "sources", who="dev")
    assert report.sources_added == ["beu-2027.txt"] and report.skipped == []
    states = {v.name: v.state for v in repo.sources()}
    assert states == {"beu-2027.txt": "current", "beu-international-relations.txt": "old"}
    assert repo.current().kb.document.file == "beu-2027.txt"


def test_a_revision_broken_behind_the_repository_is_served_and_named_at_the_next_write(
    repo, caplog
):
    page = repo.current().sources["beu-international-relations.txt"]
    repo.add_source("beu-2027.txt", page.replace("30 students", "31 students"), "alice")
    quote = "a total of 31 students have been involved"
    edit(repo, "mobility.students", count=31, quote=[quote], source="beu-2027.txt")
    with repo.engine.begin() as connection:  # deleted by hand, not through discard_source
        connection.execute(delete(t.kb_sources).where(t.kb_sources.c.name == "beu-2027.txt"))
    fresh = KnowledgeRepository(repo.engine, countries=COUNTRIES)
    assert fresh.current().kb.mobility.students.count == 31  # still answering
    assert "no longer validates" in caplog.text
    errors = refused(fresh, "mobility.staff", count=41)
    assert errors == {"": "mobility.students.source: source version 'beu-2027.txt' not found"}


def test_a_busy_database_postpones_the_start_up_import(seeded_sqlite, tmp_path, caplog):
    from bot.staff_db.bootstrap import _import_knowledge

    shutil.copy(seeded_sqlite, tmp_path / "staff.sqlite3")
    url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
    holder, engine = make_engine(url), make_engine(url, wait=0.1)
    kb_file = tmp_path / "kb.yml"
    kb_file.write_text(paths.KB_FILE.read_text("utf-8").replace("count: 40\n", "count: 41\n"))
    with write_transaction(holder) as connection:  # another writer holds the lock
        connection.execute(t.settings.update().values(value=t.settings.c.value))
        assert "database busy" in _import_knowledge(engine, kb_file, paths.SOURCES)
    assert "kb.yml imported" in _import_knowledge(engine, kb_file, paths.SOURCES)
    assert KnowledgeRepository(engine, countries=COUNTRIES).current().kb.mobility.staff.count == 41
    holder.dispose()
    engine.dispose()
