"""A fact's edit form, generated from its pydantic model (bot/kb/schema.py), and back to data.

The schema that validates kb.yml is the only description of a fact, so the form is derived from
it rather than written per kind: a field added to the schema appears in the admin by itself.
Scalars are inputs, `Literal`s selects, lists of strings one per line, dates date inputs; facts
nested in a fact (a project's aims, its period) have paths of their own and are edited there;
anything else structured (a claim's breakdown) is a small YAML box. Provenance (quote or staff
confirmation) and the dates are laid out by the template, the same for every kind.

Nothing is judged here beyond "is this a number / a date / YAML at all": the repository validates
the whole resulting knowledge base and reports the rest against the field.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import SHAPE_LIST, SHAPE_SINGLETON, ModelField

from bot.kb import schema
from bot.kb.load import load_countries
from bot.kb.schema import Cited

PROVENANCE = ("quote", "source", "confirmed", "as_of", "review_by", "owner")
QUOTE, CONFIRMED = "quote", "confirmed"
LABELS = {
    "id": "Id (lower-case letters, digits and _; used in links, cannot change later)",
    "emails": "E-mail addresses",
    "handoff_reply_time": "Handoff reply time",
    "opening_hours": "Opening hours",
    "country": "Country",
    "countries": "Countries (two-letter codes)",
    "involved": "Organisations involved (ids)",
    "universities": "Partner universities (organisation ids)",
    "qualifier": "The count is",
    "as_of": "As of",
    "review_by": "Review by",
    "owner": "Owner",
    "quote": "Quote",
    "source": "Source version",
    "confirmed.by": "Confirmed by",
    "confirmed.date": "Confirmed on",
    "confirmed.note": "How it was confirmed",
}
HINTS = {
    "aliases": "Other names students use, one per line.",
    "emails": "One per line.",
    "handoff_reply_time": 'How soon staff answer a student handed to them, e.g. "within two '
    'working days". Empty: no promise is made.',
    "as_of": "When the fact held: YYYY, YYYY-MM or YYYY-MM-DD.",
    "review_by": "When to check it again.",
    "quote": "The exact sentence(s) of the source version, one per line.",
    "confirmed.note": "For example: e-mail from the partner office of 3 May.",
    "breakdown": "YAML: one '- {count: N, label: ...}' per line.",
    "programmes": "YAML: one '- {name: ..., aliases: [...]}' per line.",
}
# Fields that name one organisation by id: a select of the knowledge base's organisations.
ORGANISATION_REFERENCES = ("coordinator", "funder", "partner")
# The knowledge base's lists to which staff add items, and what an item is.
ADDABLE = {"organisations": "Organisation", "projects": "Project"}


@dataclass(frozen=True)
class FormField:
    """One input of the generated form."""

    name: str
    label: str
    kind: str  # text | number | select | organisation | lines | date | yaml
    required: bool = False
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for selects
    readonly: bool = False


@dataclass
class FactForm:
    """The generated form of one kind of fact."""

    model: type[BaseModel]
    fields: list[FormField]
    children: list[str] = field(default_factory=list)  # nested facts: their own paths
    cited: bool = True  # carries provenance (quote or staff confirmation)
    confirmable: bool = True  # the schema knows staff confirmation


def model_for(kind: str) -> type[BaseModel]:
    model = getattr(schema, kind, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise LookupError(f"unknown kind of fact {kind!r}")
    return model


@lru_cache(maxsize=1)
def country_choices() -> tuple[tuple[str, str], ...]:
    countries = sorted(load_countries().countries, key=lambda c: c.name)
    return tuple((c.code, f"{c.name} ({c.code})") for c in countries)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _is_cited(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Cited)


def _label(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def _subclass(kind: Any, of: type) -> bool:
    """`kind` is `of` or a constrained version of it (pydantic's ConstrainedIntValue...)."""
    return isinstance(kind, type) and issubclass(kind, of) and not issubclass(kind, bool)


def _form_field(name: str, model_field: ModelField, adding: bool) -> FormField:
    inner = model_field.type_
    required = model_field.required is True and not model_field.allow_none
    common = {"name": name, "label": _label(name), "hint": HINTS.get(name, "")}
    if model_field.shape == SHAPE_LIST:
        if _subclass(inner, str):
            return FormField(kind="lines", **{**common, "hint": common["hint"] or "One per line."})
        return FormField(kind="yaml", **common)
    if model_field.shape != SHAPE_SINGLETON:
        return FormField(kind="yaml", **common)
    if typing.get_origin(inner) is typing.Literal:
        choices = tuple((str(v), str(v).replace("_", " ")) for v in typing.get_args(inner))
        return FormField(kind="select", choices=choices, required=True, **common)
    if name == "country":
        return FormField(kind="select", choices=country_choices(), required=True, **common)
    if name in ORGANISATION_REFERENCES:  # the choices are the live knowledge base's
        return FormField(kind="organisation", required=required, **common)
    if _subclass(inner, dt.date):
        return FormField(kind="date", required=required, **common)
    if _subclass(inner, int):
        return FormField(kind="number", required=required, **common)
    if _is_model(inner):
        return FormField(kind="yaml", **common)
    readonly = name == "id" and not adding
    return FormField(kind="text", required=required, readonly=readonly, **common)


def fact_form(kind: str, adding: bool = False) -> FactForm:
    """The form of a kind of fact ("Project", "Count", "Contacts"...)."""
    model = model_for(kind)
    fields, children = [], []
    for name, model_field in model.__fields__.items():
        if name in PROVENANCE:
            continue
        if _is_cited(model_field.type_):
            children.append(name)
            continue
        fields.append(_form_field(name, model_field, adding))
    fields.sort(key=lambda f: f.name != "id")  # the id first: it names the item everywhere
    return FactForm(
        model,
        fields,
        children,
        cited="quote" in model.__fields__,
        confirmable="confirmed" in model.__fields__,
    )


def labels(form: FactForm) -> dict[str, str]:
    """Input name -> label, for error summaries, conflicts and history."""
    names = {f.name: f.label for f in form.fields}
    if form.cited:
        names.update({n: _label(n) for n in ("quote", "source", "as_of", "review_by", "owner")})
        if form.confirmable:
            names.update(
                {n: _label(n) for n in ("confirmed.by", "confirmed.date", "confirmed.note")}
            )
    return names


# -- data -> what the form shows -------------------------------------------------------------


def _shown(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "lines":
        return "\n".join(str(v) for v in value)
    if kind == "yaml":
        if value in ([], {}):
            return ""
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1000).strip()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_values(form: FactForm, data: Mapping[str, Any], source: str = "") -> dict[str, str]:
    """What each input shows for `data` (a fact as kb.yml has it)."""
    defaults = {name: model_field.default for name, model_field in form.model.__fields__.items()}
    values = {f.name: _shown(f.kind, data.get(f.name, defaults.get(f.name))) for f in form.fields}
    if not form.cited:
        return values
    quotes = data.get("quote") or []
    quotes = [quotes] if isinstance(quotes, str) else quotes
    confirmed = data.get("confirmed") or {}
    values.update(
        {
            "provenance": CONFIRMED if confirmed and not quotes else QUOTE,
            "quote": "\n".join(quotes),
            "source": data.get("source") or source,
            "as_of": _shown("text", data.get("as_of")),
            "review_by": _shown("text", data.get("review_by")),
            "owner": str(data.get("owner") or ""),
            "confirmed.by": str(confirmed.get("by") or ""),
            "confirmed.date": _shown("text", confirmed.get("date")),
            "confirmed.note": str(confirmed.get("note") or ""),
        }
    )
    return values


# -- what the form posted -> data -------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _parse(form_field: FormField, text: str) -> Any:
    """The value of one input; ValueError says what is wrong with it."""
    text = text or ""
    if form_field.kind == "lines":
        return _lines(text)
    if form_field.kind == "yaml":
        if not text.strip():
            return []
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ValueError(f"this is not valid YAML ({error.__class__.__name__})") from error
    stripped = text.strip()
    if not stripped:
        return None
    if form_field.kind == "number":
        try:
            return int(stripped)
        except ValueError:
            raise ValueError("enter a whole number, such as 18") from None
    if form_field.kind == "date":
        try:
            return dt.date.fromisoformat(stripped).isoformat()
        except ValueError:
            raise ValueError("enter a date as YYYY-MM-DD") from None
    return stripped


def posted_values(form: FactForm, posted: Mapping[str, Any]) -> dict[str, str]:
    """Everything typed, as typed (shown again when the save is refused)."""
    names = [f.name for f in form.fields if not f.readonly]
    if form.cited:
        names += ["provenance", "quote", "source", "as_of", "review_by", "owner"]
        names += ["confirmed.date", "confirmed.note"]
    return {name: str(posted.get(name) or "") for name in names}


def data_from_form(
    form: FactForm,
    values: Mapping[str, str],
    base: Mapping[str, Any],
    who: str,
    today: dt.date,
    document_source: str = "",
) -> tuple[dict[str, Any], dict[str, str]]:
    """The fact `values` describe, on top of `base` (nested facts and read-only fields kept),
    and the inputs that could not even be read, by field."""
    data = dict(base)
    errors: dict[str, str] = {}
    for form_field in form.fields:
        if form_field.readonly:
            continue
        try:
            value = _parse(form_field, values.get(form_field.name, ""))
        except ValueError as error:
            errors[form_field.name] = str(error)
            continue
        data[form_field.name] = value  # empty: left out below, unless kb.yml wrote it
    if form.cited:
        errors.update(_provenance(form, values, data, who, today, document_source))
    return _as_written(form, base, data), errors


def _same(a: Any, b: Any) -> bool:
    """Equal as the schema reads them: a lone quote is a list of one, absent is empty."""

    def plain(value: Any) -> Any:
        if isinstance(value, str) and value == "":
            return None
        if isinstance(value, dt.date):
            return value.isoformat()
        if value == [] or value == {}:
            return None
        return value

    if isinstance(a, str) and isinstance(b, list):
        a = [a]
    if isinstance(b, str) and isinstance(a, list):
        b = [b]
    return plain(a) == plain(b)


def _as_written(form: FactForm, base: Mapping[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """`data`, with every value that means what `base` says written as `base` wrote it, and no
    schema default `base` left out: saving a form unchanged changes nothing (no revision, no
    noise in the exported kb.yml)."""
    defaults = {name: f.default for name, f in form.model.__fields__.items()}
    result: dict[str, Any] = {}
    for name in [*base, *(n for n in data if n not in base)]:
        if name not in data:
            continue
        value = data[name]
        if name in base and _same(base[name], value):
            result[name] = base[name]
        elif name not in base and (_same(None, value) or _same(defaults.get(name), value)):
            continue  # empty, or the schema's default: absent, as kb.yml writes it
        else:
            result[name] = value
    return result


def _provenance(
    form: FactForm,
    values: Mapping[str, str],
    data: dict[str, Any],
    who: str,
    today: dt.date,
    document_source: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    names = (
        ("as_of", "review_by", "owner")
        if "owner" in form.model.__fields__
        else ("as_of", "review_by")
    )
    for name in names:
        text = (values.get(name) or "").strip()
        if text:
            data[name] = text  # as_of is free-form (YYYY, YYYY-MM...): the schema judges it
        else:
            data.pop(name, None)
    if "review_by" in data:
        try:
            data["review_by"] = dt.date.fromisoformat(data["review_by"]).isoformat()
        except ValueError:
            errors["review_by"] = "enter a date as YYYY-MM-DD"
    if form.confirmable and values.get("provenance") == CONFIRMED:
        date_text = (values.get("confirmed.date") or "").strip()
        try:
            date = dt.date.fromisoformat(date_text) if date_text else today
        except ValueError:
            errors["confirmed.date"] = "enter a date as YYYY-MM-DD"
            date = today
        data["quote"] = []
        data.pop("source", None)
        note = (values.get("confirmed.note") or "").strip()
        data["confirmed"] = {"by": who, "date": date.isoformat(), "note": note}
        return errors
    data["quote"] = _lines(values.get("quote", ""))
    source = (values.get("source") or "").strip()
    if source and source != document_source:
        data["source"] = source
    else:
        data.pop("source", None)
    if form.confirmable:
        data.pop("confirmed", None)
    return errors


def field_of(error_key: str) -> str:
    """The input an error keyed by its location belongs to: 'universities[2]' -> 'universities',
    'confirmed.note' -> 'confirmed.note', 'period.start' -> 'period'."""
    if error_key.startswith("confirmed."):
        return error_key
    if error_key == "confirmed":
        return "confirmed.note"
    return error_key.split("[", 1)[0].split(".", 1)[0]


def located(errors: Mapping[str, str]) -> dict[str, str]:
    """Errors keyed by input (several on one input joined), "" for the whole fact."""
    result: dict[str, str] = {}
    for key, message in errors.items():
        name = field_of(key) if key else ""
        detail = key[len(name) :].lstrip(".") if key.startswith(name) and key != name else ""
        line = re.fullmatch(r"\[(\d+)\]", detail)
        if line:  # an item of a one-per-line list
            detail = f"line {int(line.group(1)) + 1}"
        text = f"{detail}: {message}" if detail and not name.startswith("confirmed") else message
        result[name] = f"{result[name]}; {text}" if name in result else text
    return result
