"""Load knowledge/kb.yml and the countries reference, and refuse anything that fails the checks.

A `KnowledgeError` lists every problem at once, each with where it is, so staff fixing the YAML see
the whole picture in one run rather than one error per attempt.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import yaml
from pydantic import ValidationError

from bot import paths
from bot.kb.provenance import iter_cited, missing_quotes, normalise
from bot.kb.schema import CountryList, KnowledgeBase


class KnowledgeError(ValueError):
    def __init__(self, where: Path, problems: List[str]) -> None:
        self.where = where
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{where}: {len(problems)} problem(s):\n{lines}")


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise KnowledgeError(path, [f"not valid YAML: {error}"]) from error
    except OSError as error:
        raise KnowledgeError(path, [f"cannot read: {error}"]) from error


def _validation_problems(error: ValidationError) -> List[str]:
    return [
        f"{'.'.join(str(part) for part in e['loc'] if part != '__root__') or '(top)'}: {e['msg']}"
        for e in error.errors()
    ]


def load_countries(path: Path = paths.COUNTRIES_FILE) -> CountryList:
    try:
        return CountryList.parse_obj(_read_yaml(path))
    except ValidationError as error:
        raise KnowledgeError(path, _validation_problems(error)) from error


def read_sources(kb: KnowledgeBase, sources_dir: Path) -> dict:
    """Normalised text of every source file the knowledge base cites."""
    names = {kb.document.file}
    names.update(fact.source for _, fact in iter_cited(kb) if fact.source)
    texts = {}
    for name in names:
        path = sources_dir / name
        if path.is_file():
            texts[name] = normalise(path.read_text(encoding="utf-8"))
    return texts


def _unknown_countries(kb: KnowledgeBase, countries: CountryList) -> List[str]:
    known = {c.code for c in countries.countries}
    uses = [("university", kb.university.country)]
    uses += [(f"organisations[{o.id}]", o.country) for o in kb.organisations]
    for programme in kb.exchange_programmes:
        for index, claim in enumerate(programme.partner_claims):
            uses += [(f"exchange_programmes[{programme.id}][{index}]", c) for c in claim.countries]
    uses += [("international_students", c) for c in kb.international_students.countries]
    return [f"{where}: unknown country code {code!r}" for where, code in uses if code not in known]


def load_kb(
    path: Path = paths.KB_FILE,
    sources_dir: Path = paths.SOURCES,
    countries: CountryList | None = None,
) -> KnowledgeBase:
    """Parse, validate and provenance-check the knowledge base."""
    try:
        kb = KnowledgeBase.parse_obj(_read_yaml(path))
    except ValidationError as error:
        raise KnowledgeError(path, _validation_problems(error)) from error
    countries = countries or load_countries()
    sources = read_sources(kb, sources_dir)
    problems = _unknown_countries(kb, countries)
    problems += [
        f"source file {name!r} not found in {sources_dir}"
        for name in {kb.document.file} - set(sources)
    ]
    problems += [str(m) for m in missing_quotes(kb, sources) if m.source in sources]
    if problems:
        raise KnowledgeError(path, problems)
    return kb
