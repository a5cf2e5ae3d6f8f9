"""The schema refuses bad knowledge with a message that says where and what."""

import copy

import pytest
import yaml

from bot import paths
from bot.kb.load import KnowledgeError, load_kb
from bot.kb.schema import PROVENANCE_REQUIRED


@pytest.fixture()
def kb_data():
    return yaml.safe_load(paths.KB_FILE.read_text(encoding="utf-8"))


def load_modified(tmp_path, data):
    path = tmp_path / "kb.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_kb(path)


def problems_of(tmp_path, data) -> str:
    with pytest.raises(KnowledgeError) as error:
        load_modified(tmp_path, data)
    return str(error.value)


def test_the_real_knowledge_base_loads():
    kb = load_kb()
    assert kb.international_students.count == 95
    assert {p.acronym for p in kb.projects} >= {"PROMIG", "PAWER", "NIZAMI", "CRENG", "MAGNUS"}


def test_a_fact_without_a_quote_is_rejected(tmp_path, kb_data):
    del kb_data["mobility"]["students"]["quote"]
    message = problems_of(tmp_path, kb_data)
    assert f"mobility.students.quote: {PROVENANCE_REQUIRED}" in message


def test_an_unknown_field_is_rejected_not_ignored(tmp_path, kb_data):
    kb_data["mobility"]["students"]["cuont"] = 31
    assert "mobility.students.cuont: extra fields not permitted" in problems_of(tmp_path, kb_data)


def test_a_period_ending_before_it_starts_is_rejected(tmp_path, kb_data):
    kb_data["projects"][0]["period"]["end"] = 2010
    assert "period end is before its start" in problems_of(tmp_path, kb_data)


def test_a_country_list_that_disagrees_with_its_count_is_rejected(tmp_path, kb_data):
    kb_data["international_students"]["countries"].pop()
    assert "country_count is 17 but 16 countries are listed" in problems_of(tmp_path, kb_data)


def test_a_coordinator_that_is_not_a_known_organisation_is_rejected(tmp_path, kb_data):
    kb_data["projects"][1]["coordinator"] = "oxford"
    assert "unknown organisation 'oxford'" in problems_of(tmp_path, kb_data)


def test_an_unknown_country_code_is_rejected(tmp_path, kb_data):
    kb_data["international_students"]["countries"][0] = "XX"
    assert "international_students.countries[0]: unknown country code 'XX'" in problems_of(
        tmp_path, kb_data
    )


def test_a_contact_email_must_be_an_address(tmp_path, kb_data):
    kb_data["office"]["contacts"]["emails"] = ["international office"]
    assert "is not an e-mail address" in problems_of(tmp_path, kb_data)


def test_every_problem_is_reported_at_once(tmp_path, kb_data):
    data = copy.deepcopy(kb_data)
    data["international_students"]["countries"][0] = "XX"
    data["projects"][0]["quote"] = "a sentence the page never said"
    message = problems_of(tmp_path, data)
    assert "unknown country code 'XX'" in message
    assert "a sentence the page never said" in message


def test_invalid_yaml_is_reported_as_such(tmp_path):
    path = tmp_path / "kb.yml"
    path.write_text("document: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="not valid YAML"):
        load_kb(path)
