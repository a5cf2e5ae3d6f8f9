"""Translations of the knowledge base's free text (knowledge/translations/<lang>.yml).

Each entry records the English it translates. When staff change a fact's English, its translation
no longer matches and is stale: not shown to students, listed for review (`stale`, `missing`).
A translation is `reviewed: false` (machine or helper written) until a staff member confirms it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Tuple

import yaml
from pydantic import BaseModel, Field, ValidationError, validator

from bot.kb import live
from bot.paths import KNOWLEDGE, ROOT

TRANSLATIONS = KNOWLEDGE / "translations"
# Fields that are names, identifiers, references or provenance: never translated (names stay
# canonical; countries are localised from CLDR by bot.i18n.country_name).
NOT_FREE_TEXT = {
    "id", "name", "aliases", "quote", "source", "as_of", "review_by", "country", "countries",
    "url", "file", "title", "emails", "phone", "website", "acronym", "programme", "coordinator",
    "funder", "involved", "partner", "universities", "code", "why", "owner", "qualifier",
    "organisations", "lead", "department", "vice_rectorate", "non_factual", "role",
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
            # A name field holds a name (or a list of them); a dict under such a key
            # (office.department, a project's members) still has free text of its own.
            if key not in NOT_FREE_TEXT or isinstance(item, dict):
                yield from free_text(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from free_text(item, f"{path}[{position}]")
    elif isinstance(value, str) and any(c.isalpha() for c in value):
        yield path, value


class TranslationError(ValueError):
    """A translation file that breaks the schema: which file, and which entries and fields."""

    def __init__(self, where: Path, problems: List[str]) -> None:
        self.where = where
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{where}: {len(problems)} problem(s):\n{lines}")


def translation_file(language: str, folder: Path | None = None) -> Path:
    return (folder or TRANSLATIONS) / f"{language}.yml"


def _entry_name(data: Any, position: Any) -> str:
    """ "translations[3] (projects[0].aims[0].text)": the entry and the KB field it translates."""
    try:
        field = data["translations"][position]["field"]
    except (KeyError, IndexError, TypeError):
        return f"translations[{position}]"
    return f"translations[{position}] ({field})"


def _schema_problems(error: ValidationError, data: Any) -> List[str]:
    problems = []
    for item in error.errors():
        location = list(item["loc"])
        if len(location) >= 2 and location[0] == "translations":
            where = ".".join([_entry_name(data, location[1]), *map(str, location[2:])])
        else:
            where = ".".join(map(str, location))
        problems.append(f"{where}: {item['msg']}")
    return problems


def load_translations(language: str, folder: Path | None = None) -> TranslationFile:
    """The translations of `language`, schema-checked (TranslationError names file and field)."""
    path = translation_file(language, folder)
    if not path.exists():
        return TranslationFile(language=language)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise TranslationError(path, [f"not valid YAML: {error}"]) from error
    try:
        loaded = TranslationFile.parse_obj(data)
    except ValidationError as error:
        raise TranslationError(path, _schema_problems(error, data)) from error
    problems = []
    if loaded.language != language:
        problems.append(f"language: says {loaded.language!r}, the file is for {language!r}")
    seen: Dict[str, int] = {}
    for position, entry in enumerate(loaded.translations):
        if entry.field in seen:
            problems.append(
                f"translations[{position}] ({entry.field}): the field is already translated"
                f" at translations[{seen[entry.field]}]"
            )
        seen.setdefault(entry.field, position)
    if problems:
        raise TranslationError(path, problems)
    return loaded


@cache
def current_translations(language: str) -> Dict[str, str]:
    """English -> translation, for the entries whose English is still the knowledge base's
    (the live one: a fact staff reword stops showing its old translation at once)."""
    from bot.answers.base import knowledge

    english_now = {text for _, text in free_text(knowledge().kb)}
    return {english: text for english, text in _translated(language) if english in english_now}


@cache
def _translated(language: str) -> Tuple[Tuple[str, str], ...]:
    """(English, translation) of the language's file, read once (a second or so of YAML and
    schema): a reload of the knowledge base only filters them again."""
    return tuple((t.english, t.text) for t in load_translations(language).translations)


@live.on_change
def _forget_translations(_index: object) -> None:
    current_translations.cache_clear()


def _numbers(text: str) -> List[str]:
    return sorted(re.findall(r"\d+", text))


def review_list(kb: Any, language: str, folder: Path | None = None) -> Dict[str, List[str]]:
    """What staff should look at: stale translations (the English changed: not served until
    updated), unreviewed ones, free text with no translation, and translations whose numbers
    differ from their English (a figure lost or changed in translation)."""
    english_by_field = dict(free_text(kb))
    loaded = load_translations(language, folder).translations
    stale = [t.field for t in loaded if english_by_field.get(t.field) != t.english]
    unreviewed = [t.field for t in loaded if not t.reviewed and t.field not in stale]
    translated = {t.english for t in loaded if t.field not in stale}
    missing = [f for f, text in english_by_field.items() if text not in translated]
    numbers_differ = [t.field for t in loaded if _numbers(t.english) != _numbers(t.text)]
    return {
        "stale": stale,
        "unreviewed": unreviewed,
        "missing": missing,
        "numbers_differ": numbers_differ,
    }


def translation_report(kb: Any, languages: Iterable[str], folder: Path | None = None) -> List[str]:
    """`python -m bot kb`'s lines for staff, per language: counts, then every stale, missing or
    suspect field by name. Raises TranslationError for a file that breaks the schema."""
    lines = []
    for language in languages:
        found = review_list(kb, language, folder)
        path = translation_file(language, folder)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        lines.append(
            f"translations {language} ({shown}): {len(found['stale'])} stale,"
            f" {len(found['unreviewed'])} unreviewed, {len(found['missing'])} missing,"
            f" {len(found['numbers_differ'])} with numbers that differ from the English"
        )
        reasons = {
            "stale": "the English changed since it was translated; not shown until updated",
            "missing": "no translation; students get the English with a note",
            "numbers_differ": "its numbers differ from the English",
        }
        for kind, reason in reasons.items():
            lines += [f"  {kind}: {field} ({reason})" for field in found[kind]]
    return lines


def skeleton(kb: Any, language: str, folder: Path | None = None) -> str:
    """YAML entries for the free text `language` has no current translation of, for staff to
    fill in and add to its file. `text` is left empty on purpose: pasted untranslated, the
    file fails its schema (and the build) instead of serving a placeholder to students."""
    english_by_field = dict(free_text(kb))
    missing = review_list(kb, language, folder)["missing"]
    entries = [
        {"field": field, "english": english_by_field[field], "text": "", "reviewed": False}
        for field in missing
    ]
    return (
        yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100) if entries else ""
    )


if __name__ == "__main__":  # python -m bot.kb.translations ru: the entries ru still needs
    import sys

    from bot.kb.load import load_kb

    print(skeleton(load_kb(), sys.argv[1]) or f"{sys.argv[1]}: every free-text field is translated")
