"""Translations of the knowledge base's free text (knowledge/translations/<lang>.yml).

Each entry records the English it translates. When staff change a fact's English, its translation
no longer matches and is stale: not shown to students, listed for review (`stale`, `missing`).
A translation is `reviewed: false` (machine or helper written) until a staff member confirms it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import yaml
from pydantic import BaseModel, Field, validator

from bot.paths import KNOWLEDGE

TRANSLATIONS = KNOWLEDGE / "translations"
# Fields that are names, identifiers, references or provenance: never translated (names stay
# canonical; countries are localised from CLDR by bot.i18n.country_name).
NOT_FREE_TEXT = {
    "id", "name", "aliases", "quote", "source", "as_of", "review_by", "country", "countries",
    "url", "file", "title", "emails", "phone", "website", "acronym", "programme", "coordinator",
    "funder", "involved", "partner", "universities", "code", "why", "owner", "qualifier",
    "organisations", "members", "lead", "department", "vice_rectorate", "non_factual", "role",
    "framework",
}  # fmt: skip


class Translation(BaseModel):
    field: str = Field(..., description="where the English is in kb.yml: projects[2].aims[0].text")
    english: str = Field(..., min_length=1, description="the English text this translates")
    text: str = Field(..., min_length=1)
    reviewed: bool = False
    reviewed_by: str | None = None

    class Config:
        extra = "forbid"

    @validator("reviewed_by", always=True)
    def _reviewer_named(cls, value: str | None, values: Dict[str, Any]) -> str | None:
        if values.get("reviewed") and not value:
            raise ValueError("a reviewed translation names its reviewer (reviewed_by)")
        return value


class TranslationFile(BaseModel):
    language: str = Field(..., regex=r"^[a-z]{2,3}$")
    translations: List[Translation] = []

    class Config:
        extra = "forbid"


def free_text(value: Any, path: str = "") -> Iterator[Tuple[str, str]]:
    """(path, English) for every free-text string in the knowledge base (a model or its dict)."""
    if hasattr(value, "dict"):
        value = value.dict()
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_FREE_TEXT:
                yield from free_text(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from free_text(item, f"{path}[{position}]")
    elif isinstance(value, str) and any(c.isalpha() for c in value):
        yield path, value


def translation_file(language: str) -> Path:
    return TRANSLATIONS / f"{language}.yml"


def load_translations(language: str) -> TranslationFile:
    path = translation_file(language)
    if not path.exists():
        return TranslationFile(language=language)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    loaded = TranslationFile(**data)
    if loaded.language != language:
        raise ValueError(f"{path}: says language {loaded.language!r}")
    return loaded


@cache
def current_translations(language: str) -> Dict[str, str]:
    """English -> translation, for the entries whose English is still the knowledge base's."""
    from bot.answers.base import knowledge

    english_now = {text for _, text in free_text(knowledge().kb)}
    return {
        t.english: t.text
        for t in load_translations(language).translations
        if t.english in english_now
    }


def review_list(kb: Any, language: str) -> Dict[str, List[str]]:
    """What staff should look at: stale translations (the English changed), unreviewed ones, and
    free text with no translation."""
    english_by_field = dict(free_text(kb))
    loaded = load_translations(language).translations
    stale = [t.field for t in loaded if english_by_field.get(t.field) != t.english]
    unreviewed = [t.field for t in loaded if not t.reviewed and t.field not in stale]
    translated = {t.english for t in loaded}
    missing = [f for f, text in english_by_field.items() if text not in translated]
    return {"stale": stale, "unreviewed": unreviewed, "missing": missing}
