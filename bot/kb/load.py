"""Load knowledge/kb.yml and the countries reference, and refuse anything that fails the checks.

A `KnowledgeError` lists every problem at once, each with where it is, so staff fixing the YAML see
the whole picture in one run rather than one error per attempt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, List, Mapping, Sequence, Tuple

import yaml
from pydantic import ValidationError
from pydantic.error_wrappers import ErrorWrapper
from pydantic.errors import MissingError

from bot import paths
from bot.kb.provenance import iter_cited, missing_quotes, normalise
from bot.kb.schema import PROVENANCE_REQUIRED, CountryList, KnowledgeBase, LocatedProblems
from bot.links import browser_url, link_problems, url_problem

URL_FIELDS = ("url", "website")


Problem = Tuple[str, str]  # (location such as "projects[promig].coordinator", message)


class KnowledgeError(ValueError):
    """Every problem of a knowledge base, each with where it is (`located`: (path, message)),
    so the admin can show each next to its field and `make kb` can list them all at once."""

    def __init__(self, where: Path | str, problems: Sequence[Problem | str]) -> None:
        self.where = where
        self.located: List[Problem] = [
            problem if isinstance(problem, tuple) else ("", problem) for problem in problems
        ]
        self.problems = [f"{loc}: {message}" if loc else message for loc, message in self.located]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{where}: {len(self.problems)} problem(s):\n{lines}")


# libyaml's loader when built in: the same safe loading, ten times faster (the staff database
# parses kb.yml at start-up and on every import)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> object:
    return yaml.load(text, Loader=SafeLoader)


def _read_yaml(path: Path) -> object:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise KnowledgeError(path, [f"not valid YAML: {error}"]) from error
    except OSError as error:
        raise KnowledgeError(path, [f"cannot read: {error}"]) from error


def location_path(document: object, loc: Iterable[str | int]) -> str:
    """A pydantic location as a fact path: list items by their id where they have one
    (`projects[promig].period.end`), by position otherwise (`events[2]`), like `iter_cited`."""
    path = ""
    node = document
    for part in loc:
        if part == "__root__":
            continue
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            label = item.get("id") if isinstance(item, dict) else None
            path += f"[{label or part}]"
            node = item
        else:
            path += f".{part}" if path else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return path


def _flatten(errors: Iterable[object], loc: tuple = ()) -> Iterator[Tuple[tuple, str]]:
    """(location, message) of every error under a pydantic ValidationError, with the located
    problems of a validator that found several (`LocatedProblems`) expanded in place."""
    for error in errors:
        if isinstance(error, (list, tuple)):
            yield from _flatten(error, loc)
            continue
        if not isinstance(error, ErrorWrapper):
            continue
        where = loc + error.loc_tuple()
        if isinstance(error.exc, ValidationError):
            yield from _flatten(error.exc.raw_errors, where)
        elif isinstance(error.exc, LocatedProblems):
            base = tuple(part for part in where if part != "__root__")
            for sub, message in error.exc.problems:
                yield base + tuple(sub), message
        elif isinstance(error.exc, MissingError) and where and where[-1] == "quote":
            yield where, PROVENANCE_REQUIRED  # neither a quote nor a staff confirmation
        else:
            yield where, str(error.exc)


def _validation_problems(error: ValidationError, document: object = None) -> List[Problem]:
    return [
        (location_path(document, loc) or "(top)", message)
        for loc, message in _flatten(error.raw_errors)
    ]


def load_countries(path: Path = paths.COUNTRIES_FILE) -> CountryList:
    try:
        return CountryList.parse_obj(_read_yaml(path))
    except ValidationError as error:
        raise KnowledgeError(path, _validation_problems(error, None)) from error


def cited_sources(kb: KnowledgeBase) -> set:
    """Names of the source versions the knowledge base cites (the document's and any other)."""
    names = {kb.document.file}
    names.update(fact.source for _, fact in iter_cited(kb) if fact.source)
    return names


def read_sources(kb: KnowledgeBase, sources_dir: Path) -> dict:
    """Raw text of every source file the knowledge base cites that exists in `sources_dir`."""
    texts = {}
    for name in cited_sources(kb):
        path = sources_dir / name
        if path.is_file():
            texts[name] = path.read_text(encoding="utf-8")
    return texts


def _unknown_countries(kb: KnowledgeBase, countries: CountryList) -> List[Problem]:
    known = {c.code for c in countries.countries}
    uses = [("university.country", kb.university.country)]
    uses += [(f"organisations[{o.id}].country", o.country) for o in kb.organisations]
    for programme in kb.exchange_programmes:
        for index, claim in enumerate(programme.partner_claims):
            where = f"exchange_programmes[{programme.id}].partner_claims[{index}].countries"
            uses += [(f"{where}[{i}]", c) for i, c in enumerate(claim.countries)]
    students = kb.international_students.countries
    uses += [(f"international_students.countries[{i}]", c) for i, c in enumerate(students)]
    return [(where, f"unknown country code {code!r}") for where, code in uses if code not in known]


def _link_problems(document: object, path: str = "") -> Iterator[Problem]:
    """Links and e-mail addresses in the facts, judged by the allow-list of FAQ answers
    (bot/links.py): what staff type here reaches students the same way."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _link_problems(value, f"{path}.{key}" if path else str(key))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            label = item.get("id") if isinstance(item, dict) else None
            yield from _link_problems(item, f"{path}[{label or index}]")
    elif isinstance(document, str):
        leaf = path.rsplit(".", 1)[-1]
        if leaf in URL_FIELDS:
            problem = url_problem(document)
            if problem is None and not browser_url(document).lower().startswith("http"):
                problem = f"{document!r} is not a web page: use a full https:// address"
        elif leaf.startswith("emails["):
            problem = url_problem(f"mailto:{document}")
        else:
            found = link_problems(document)
            problem = "broken link: " + "; ".join(found) if found else None
        if problem:
            yield path, problem


def _quote_problems(kb: KnowledgeBase, sources: Mapping[str, str]) -> List[Problem]:
    normalised = {name: normalise(text) for name, text in sources.items()}
    problems: List[Problem] = []
    for path, fact in iter_cited(kb):
        if fact.source and fact.source not in sources:
            problems.append((f"{path}.source", f"source version {fact.source!r} not found"))
    for missing in missing_quotes(kb, normalised):
        if missing.source in sources:
            message = f"quote not found in {missing.source}: {missing.quote!r}"
            problems.append((f"{missing.path}.quote", message))
    return problems


def validate_document(
    document: object,
    sources: Mapping[str, str],
    countries: CountryList,
    where: Path | str = "knowledge base",
) -> KnowledgeBase:
    """Everything `make kb` checks, on a kb.yml-shaped document and the raw text of its source
    versions (name -> text): schema, references, country codes, every quote present in its
    source version, links allowed. Raises KnowledgeError with every problem located."""
    try:
        kb = KnowledgeBase.parse_obj(document)
    except ValidationError as error:
        raise KnowledgeError(where, _validation_problems(error, document)) from error
    problems = _unknown_countries(kb, countries)
    problems += [
        ("document.file", f"source file {name!r} not found")
        for name in sorted({kb.document.file} - set(sources))
    ]
    problems += _quote_problems(kb, sources)
    problems += list(_link_problems(document))
    if problems:
        raise KnowledgeError(where, problems)
    return kb


def load_kb(
    path: Path = paths.KB_FILE,
    sources_dir: Path = paths.SOURCES,
    countries: CountryList | None = None,
) -> KnowledgeBase:
    """Parse, validate and provenance-check the knowledge base file."""
    document = _read_yaml(path)
    names = source_names(document)
    sources = {
        n: (sources_dir / n).read_text(encoding="utf-8")
        for n in names
        if (sources_dir / n).is_file()
    }
    return validate_document(document, sources, countries or load_countries(), where=path)


def source_names(document: object) -> set:
    """Source files a raw document names (its `document.file` and every fact's `source`): what
    to read before the document can be validated."""
    names = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("source", "file") and isinstance(value, str):
                    names.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return names
