"""The fact form generated from the schema (bot/web/admin/fact_forms.py), in process: every fact
of knowledge/kb.yml survives its form unchanged, inputs are the right kind, bad input is named."""

from __future__ import annotations

import datetime as dt

import yaml

from bot import paths
from bot.kb import fact_paths as fp
from bot.kb.load import load_kb
from bot.staff_db.knowledge import addressable
from bot.web.admin.fact_forms import data_from_form, fact_form, form_values, located

TODAY = dt.date(2026, 12, 6)


def test_every_fact_of_kb_yml_survives_its_form_unchanged():
    """Saving a form as shown changes nothing: no revision, no noise in the exported kb.yml."""
    kb = load_kb()
    document = fp.plain(yaml.safe_load(paths.KB_FILE.read_text(encoding="utf-8")))
    source = kb.document.file
    seen = 0
    for path, model in addressable(kb):
        data = fp.get(document, path)
        form = fact_form(type(model).__name__)
        values = form_values(form, data, source)
        saved, errors = data_from_form(form, values, data, "staff.one", TODAY, source)
        assert errors == {} and saved == data, path
        seen += 1
    assert seen > 80


def test_inputs_follow_the_schema():
    kinds = {f.name: f.kind for f in fact_form("Project").fields}
    assert kinds["role"] == "select" and kinds["aliases"] == "lines"
    assert kinds["coordinator"] == "organisation" and kinds["involved"] == "lines"
    assert fact_form("Project").fields[0].name == "id"
    assert set(fact_form("Project").children) >= {"period", "aims", "events", "status"}
    assert {f.name: f.kind for f in fact_form("Count").fields}["count"] == "number"
    assert {f.name: f.kind for f in fact_form("PartnerClaim").fields}["breakdown"] == "yaml"
    contacts = fact_form("Contacts")
    assert {"emails", "phone", "address", "opening_hours", "handoff_reply_time"} <= {
        f.name for f in contacts.fields
    }
    assert contacts.cited and contacts.confirmable and contacts.children == ["hidden_on_page"]
    assert not fact_form("ExchangeProgramme").cited
    assert next(
        f for f in fact_form("Organisation", adding=False).fields if f.name == "id"
    ).readonly


def test_what_cannot_be_read_is_named_on_its_input_and_staff_confirmation_is_the_user():
    form = fact_form("Count")
    base = {"count": 30, "text": "students", "quote": "a sentence"}
    values = {**form_values(form, base), "count": "thirty", "review_by": "soon"}
    values.update({"provenance": "confirmed", "confirmed.note": "registrar", "confirmed.date": ""})
    data, errors = data_from_form(form, values, base, "staff.one", TODAY)
    assert errors == {
        "count": "enter a whole number, such as 18",
        "review_by": "enter a date as YYYY-MM-DD",
    }
    assert data["quote"] == [] and data["confirmed"] == {
        "by": "staff.one",
        "date": "2026-12-06",
        "note": "registrar",
    }
    yaml_form = fact_form("PartnerClaim")
    _, errors = data_from_form(yaml_form, {"breakdown": "- {count: 1"}, {}, "x", TODAY)
    assert "YAML" in errors["breakdown"]


def test_located_errors_land_on_their_input():
    assert located({"universities[2]": "unknown", "confirmed.note": "too short", "": "whole"}) == {
        "universities": "line 3: unknown",
        "confirmed.note": "too short",
        "": "whole",
    }
