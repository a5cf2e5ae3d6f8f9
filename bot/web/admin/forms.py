"""Turning what a browser form or a JSON body says into a FaqDraft, and back.

Nothing is judged here: wrong values are passed on as they are, so the store's validation
reports them against their field, with the same message on both paths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.staff_db.faq import FaqEntry
from bot.staff_db.validation import (
    TRANSLATION_LANGUAGES,
    FaqDraft,
    ValidationError,
    normalise_question,
)

DEFAULT_OWNER = "International Office"
TEXT_FIELDS = ("question", "answer", "fact_ref", "source_url", "owner")
DATE_FIELDS = ("as_of", "review_by")
LIST_FIELDS = ("phrasings", "tags")
FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, *DATE_FIELDS, "translations")
VERSION_FIELDS = ("question", "phrasings", "answer")  # of each language's version
LANGUAGE_NAMES = {"az": "Azerbaijani", "ru": "Russian", "tr": "Turkish"}


def version_field(language: str, name: str) -> str:
    """The form field (and error key) of one field of a language's version."""
    return f"translations.{language}.{name}"


# Keys a JSON body may carry besides the content: what GET returns, and the request's own.
IGNORED_KEYS = {"id", "state", "version", "updated_at", "updated_by", "inbox_ids"}


def parse_date(value: Any) -> Any:
    """ISO text -> date; empty -> None; anything else is left for validation to refuse."""
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _optional(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def comma_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def draft_from_form(form: Mapping[str, Any], state: str = "draft") -> FaqDraft:
    """The entry form: phrasings one per line, tags separated by commas."""

    def get(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    return FaqDraft(
        question=get("question"),
        answer=get("answer").replace("\r\n", "\n"),
        phrasings=lines(get("phrasings")),
        tags=comma_list(get("tags")),
        fact_ref=_optional(get("fact_ref")),
        source_url=_optional(get("source_url")),
        owner=get("owner"),
        as_of=parse_date(get("as_of")),
        review_by=parse_date(get("review_by")),
        state=state,
        translations={
            language: {
                "question": get(version_field(language, "question")),
                "phrasings": lines(get(version_field(language, "phrasings"))),
                "answer": get(version_field(language, "answer")).replace("\r\n", "\n"),
            }
            for language in TRANSLATION_LANGUAGES
        },  # a section left empty is dropped when the draft is prepared
    )


def draft_from_json(body: Mapping[str, Any], base: FaqDraft | None = None) -> FaqDraft:
    """A JSON body; fields it leaves out keep `base`'s value (a PUT may send only a change)."""
    unknown = sorted(set(body) - set(FIELDS) - IGNORED_KEYS)
    if unknown:
        raise ValidationError({name: "unknown field" for name in unknown})
    base = base or FaqDraft(question="", answer="", owner=DEFAULT_OWNER)
    values: dict[str, Any] = dict(vars(base))
    for name in FIELDS:
        if name in body:
            value = body[name]
            if name in DATE_FIELDS:
                value = parse_date(value)
            elif name in ("fact_ref", "source_url"):
                value = _optional(value)
            values[name] = value
    for name in ("question", "answer", "owner"):
        if values[name] is None:
            values[name] = ""
    return FaqDraft(**values)


def form_values(draft: FaqDraft | FaqEntry) -> dict[str, str]:
    """What the form's fields show for a draft or a stored entry."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def joined(values: Any, separator: str) -> str:
        if isinstance(values, (list, tuple)):
            return separator.join(str(v) for v in values)
        return text(values)

    return {
        "question": text(draft.question),
        "answer": text(draft.answer),
        "phrasings": joined(draft.phrasings, "\n"),
        "tags": joined(draft.tags, ", "),
        "fact_ref": text(draft.fact_ref),
        "source_url": text(draft.source_url),
        "owner": text(draft.owner),
        "as_of": text(draft.as_of),
        "review_by": text(draft.review_by),
        **version_values(draft.translations),
    }


def version_values(translations: Any) -> dict[str, str]:
    values = {}
    for language in TRANSLATION_LANGUAGES:
        version = translations.get(language) if isinstance(translations, Mapping) else None
        version = version if isinstance(version, Mapping) else {}
        for name in VERSION_FIELDS:
            value = version.get(name) or ""
            if isinstance(value, (list, tuple)):
                value = "\n".join(str(v) for v in value)
            values[version_field(language, name)] = str(value)
    return values


def draft_from_questions(texts: list[str]) -> FaqDraft:
    """A new entry for a group of inbox questions: the first as question, the rest phrasings."""
    seen: set = set()
    unique: list[str] = []
    for text in texts:
        key = normalise_question(text)
        if key and key not in seen:
            seen.add(key)
            unique.append(" ".join(text.split()))
    question = unique[0] if unique else ""
    return FaqDraft(question=question, answer="", phrasings=unique[1:], owner=DEFAULT_OWNER)


def parse_ids(values: list[Any]) -> list[int]:
    """Ids from form fields or JSON (`1`, `"2"`, `"3,4"`); anything else is refused."""
    ids: list[int] = []
    for value in values:
        parts = value.split(",") if isinstance(value, str) else [value]
        for part in parts:
            if isinstance(part, str):
                part = part.strip()
                if not part:
                    continue
            if isinstance(part, bool) or not str(part).isdigit():
                raise ValidationError({"ids": f"{part!r} is not an id"})
            ids.append(int(part))
    return ids


def parse_version(value: Any, field: str = "version") -> int:
    if isinstance(value, bool) or value is None or not str(value).strip().isdigit():
        raise ValidationError({field: "required: the version this change is based on"})
    return int(str(value).strip())
