"""What staff add to the schema: a staff confirmation instead of a quote, the office's contacts as
a fact, retired facts whose names are still recognised, and the answers these produce."""

from __future__ import annotations

import copy

import pytest

from bot import paths
from bot.answers import base, exchange, projects, retired
from bot.i18n import speaking
from bot.kb import fact_paths as fp
from bot.kb.index import KnowledgeIndex
from bot.kb.load import KnowledgeError, load_countries, parse_yaml, validate_document
from bot.kb.schema import PROVENANCE_REQUIRED

COUNTRIES = load_countries()
SOURCES = {p.name: p.read_text("utf-8") for p in paths.SOURCES.glob("*.txt")}
CONFIRMED = {"by": "Aysel Mammadova", "date": "2026-12-01", "note": "e-mail from the office"}


@pytest.fixture(scope="module")
def document():
    return parse_yaml(paths.KB_FILE.read_text("utf-8"))


def located(document) -> list:
    with pytest.raises(KnowledgeError) as error:
        validate_document(document, SOURCES, COUNTRIES)
    return error.value.located


def use(monkeypatch, document) -> KnowledgeIndex:
    index = KnowledgeIndex(validate_document(document, SOURCES, COUNTRIES), COUNTRIES)
    for module in (base, exchange, projects, retired):
        monkeypatch.setattr(module, "knowledge", lambda: index)
    return index


def test_a_staff_confirmation_stands_in_for_a_quote(document):
    data = copy.deepcopy(document)
    data["mobility"]["students"].update(count=31, quote=[], confirmed=CONFIRMED)
    kb = validate_document(data, SOURCES, COUNTRIES)
    assert kb.mobility.students.confirmed.by == "Aysel Mammadova"
    del data["mobility"]["students"]["confirmed"]
    assert located(data) == [("mobility.students.quote", PROVENANCE_REQUIRED)]
    data["mobility"]["students"]["confirmed"] = {**CONFIRMED, "note": " "}
    assert [loc for loc, _ in located(data)] == ["mobility.students.confirmed.note"]


def test_filled_contacts_need_a_confirmation(document):
    data = copy.deepcopy(document)
    data["office"]["contacts"]["emails"] = ["intl@beu.edu.az"]
    assert located(data) == [
        (
            "office.contacts",
            "contacts need a staff confirmation (who, date, note) once any is filled",
        )
    ]
    data["office"]["contacts"]["emails"] = ["mailto:intl@beu"]
    data["office"]["contacts"]["confirmed"] = CONFIRMED
    assert [loc for loc, _ in located(data)] == ["office.contacts.emails[0]"]


def test_a_quote_citing_a_missing_source_version_is_refused(document):
    data = copy.deepcopy(document)
    data["mobility"]["students"]["source"] = "beu-2030.txt"
    assert located(data) == [
        ("mobility.students.source", "source version 'beu-2030.txt' not found")
    ]


def test_the_contact_line_gives_what_staff_filled_in_every_language(monkeypatch, document):
    data = copy.deepcopy(document)
    data["office"]["contacts"].update(
        emails=["intl@beu.edu.az"],
        address="Hasan Aliyev 120, Baku",
        opening_hours="Mon-Fri 9:00-18:00",
        confirmed=CONFIRMED,
    )
    use(monkeypatch, data)
    hint = base.office_contact_hint()
    assert "[intl@beu.edu.az](mailto:intl@beu.edu.az)" in hint
    assert "Their address: Hasan Aliyev 120, Baku." in hint
    assert "Opening hours: Mon-Fri 9:00-18:00." in hint
    with speaking("ru"):
        assert "Часы работы: Mon-Fri 9:00-18:00." in base.office_contact_hint()


def retire(document, path: str) -> dict:
    data = copy.deepcopy(document)
    item = fp.remove(data, path)
    data.setdefault("retired", []).append(
        {
            "path": path,
            "kind": "Project",
            "name": item["name"],
            "aliases": [item.get("acronym", ""), *item.get("aliases", [])],
            "snapshot": item,
            "by": "alice",
            "date": "2026-12-01",
            "reason": "the project ended",
        }
    )
    return data


def test_a_retired_project_is_recognised_and_answered_honestly(monkeypatch, document):
    index = use(monkeypatch, retire(document, "projects[magnus]"))
    assert index.project("MAGNUS") is None
    assert index.retired("Magnus").path == "projects[magnus]"
    assert index.retired("PROMIG") is None  # a current project is not "retired"
    reply = projects.project("MAGNUS", "details")
    assert reply.text.startswith("I have no current information about **")
    assert "Please contact the **" in reply.text  # who to ask, from the knowledge base
    assert not reply.known
    assert "2018" not in reply.text  # nothing of the old content is told as current
    with speaking("tr"):
        assert "hakkında güncel bilgim yok" in projects.project("MAGNUS", "details").text


def test_a_retired_partner_is_answered_honestly(monkeypatch, document):
    data = copy.deepcopy(document)
    kabul = fp.remove(data, "organisations[kabul]")
    data["retired"] = [
        {
            "path": "organisations[kabul]",
            "kind": "Organisation",
            "name": kabul["name"],
            "aliases": kabul["aliases"],
            "snapshot": kabul,
            "by": "alice",
            "date": "2026-12-01",
            "reason": "no longer a partner",
        }
    ]
    use(monkeypatch, data)
    reply = exchange.partner_organisation("University of Kabul")
    assert reply.text.startswith(f"I have no current information about **{kabul['name']}**")
    never_known = exchange.partner_organisation("Sorbonne")
    assert "doesn't mention" in never_known.text


def test_fact_paths_address_the_document(document):
    assert fp.get(document, "projects[promig].events[2]") == document["projects"][0]["events"][2]
    assert fp.get(document, "organisations[graz]")["country"] == "AT"
    with pytest.raises(fp.PathError):
        fp.get(document, "projects[nothing]")
    with pytest.raises(fp.PathError):
        fp.parse("projects[promig")
    assert fp.relative("projects[promig].period.end", "projects[promig]") == "period.end"
    assert fp.relative("exchange_programmes[x].universities[2]", "exchange_programmes[x]") == (
        "universities[2]"
    )
    assert fp.relative("projects[pawer]", "projects[promig]") is None


def test_filled_contacts_become_a_retrievable_fact(document):
    from bot.understanding.fact_docs import fact_docs

    data = copy.deepcopy(document)
    data["office"]["contacts"].update(emails=["intl@beu.edu.az"], confirmed=CONFIRMED)
    index = KnowledgeIndex(validate_document(data, SOURCES, COUNTRIES), COUNTRIES)
    docs = {doc.path: doc for doc in fact_docs(index)}
    assert "intl@beu.edu.az" in docs["office.contacts"].sentence
    empty = KnowledgeIndex(validate_document(document, SOURCES, COUNTRIES), COUNTRIES)
    assert "office.contacts" not in {doc.path for doc in fact_docs(empty)}
