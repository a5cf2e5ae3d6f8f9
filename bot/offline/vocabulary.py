"""The entity vocabulary: every way a student may name a country, project, university, department
or scholarship, derived from the knowledge base and the countries reference and nothing else.

It feeds two generated artefacts, so they cannot drift apart: the Rasa data (synonyms and lookup
tables in data/generated/) and the spaCy EntityRuler that extracts entities at run time.

Countries are also named in Azerbaijani, Russian and Turkish (CLDR names and their case endings,
bot/kb/local_names.py), and the knowledge base's Cyrillic aliases are declined
(bot/language/russian.py). Those ~36,000 typed forms are no synonyms to train on and no
EntityRuler patterns (measured: 10 s to load): they become a look-up table,
build/local_names.json (bot/understanding/local_entities.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Set, Tuple

from bot.kb import local_names
from bot.kb.schema import CountryList, KnowledgeBase
from bot.language.russian import declensions
from bot.language.textfold import strip_accents

ENTITY_TYPES = ("country", "university", "organisation", "project", "department", "scholarship")


@dataclass
class Entry:
    label: str
    value: str  # canonical value the slots and actions receive
    forms: List[str] = field(default_factory=list)
    case_sensitive: Set[str] = field(default_factory=set)
    local_forms: List[str] = field(default_factory=list)  # CLDR names, case forms (look-up)
    endings: Dict[str, str] = field(default_factory=dict)  # local form -> what its ending says


def _variants(form: str) -> List[str]:
    """The lower-cased form, and the same without accents (students often type 'braganca')."""
    lower = form.lower().replace("’", "'")
    plain = strip_accents(lower)
    return [lower] if plain == lower else [lower, plain]


def _add(entries: Dict[tuple, Entry], label: str, value: str, *forms: str, exact=()) -> None:
    """Forms are stored lower-cased: matching is case-insensitive except for `exact` ones."""
    entry = entries.setdefault((label, value), Entry(label, value))
    for form in (value, *forms):
        for variant in _variants(form):
            if variant not in entry.forms:
                entry.forms.append(variant)
    entry.case_sensitive.update(exact)


def _add_local(entry: Entry, text: str, ending: str = local_names.NAME) -> None:
    """A local form's typed variants, unless the English vocabulary has them already."""
    for variant in local_names.variants(text):
        if variant not in entry.forms and variant not in entry.local_forms:
            entry.local_forms.append(variant)
            entry.endings[variant] = ending


def _add_cyrillic_cases(entry: Entry, *names: str) -> None:
    """Russian case forms of the Cyrillic names of a university, project or scholarship
    ("Линчёпингским университетом"), from the aliases in knowledge/kb.yml."""
    for name in names:
        if any("а" <= c.lower() <= "я" for c in name):
            for form in declensions(name)[1:]:
                _add_local(entry, form)


def build_vocabulary(kb: KnowledgeBase, countries: CountryList) -> List[Entry]:
    entries: Dict[tuple, Entry] = {}
    _add_countries(entries, countries)
    by_name = {country.code: country.name for country in countries.countries}
    for form in local_names.local_forms(countries):
        entry = entries[("country", by_name[form.code])]
        _add_local(entry, form.text, form.meaning)
    add_knowledge(entries, kb)
    return _drop_ambiguous(list(entries.values()))


def kb_vocabulary(kb: KnowledgeBase, countries: CountryList) -> List[Entry]:
    """The knowledge base's own names (no countries), as `build_vocabulary` gives them, but
    in milliseconds: the countries' local forms (seconds to generate from CLDR) are left out,
    and only the English country names take part in dropping ambiguous forms. What the live
    gazetteer (bot/understanding/live_names.py) compares the trained model's names with."""
    entries: Dict[tuple, Entry] = {}
    _add_countries(entries, countries)
    add_knowledge(entries, kb)
    return [e for e in _drop_ambiguous(list(entries.values())) if e.label != "country"]


def _add_countries(entries: Dict[tuple, Entry], countries: CountryList) -> None:
    for country in countries.countries:
        exact = set(country.case_sensitive)
        forms = [f for f in [*country.aliases, *country.demonyms] if f not in exact]
        _add(entries, "country", country.name, *forms)
        for form in exact:
            _add(entries, "country", country.name, exact=[form])


def add_knowledge(entries: Dict[tuple, Entry], kb: KnowledgeBase) -> None:
    """Every name the knowledge base gives: organisations, projects, departments, scholarships,
    and the names of retired facts (still recognised, then answered "no current information")."""
    for org in kb.organisations:
        label = "university" if org.kind == "university" else "organisation"
        _add(entries, label, org.name, *org.aliases)
        _add_cyrillic_cases(entries[(label, org.name)], *org.aliases)
    for project in kb.projects:
        _add(entries, "project", project.acronym, project.name, *project.aliases)
        _add_cyrillic_cases(entries[("project", project.acronym)], *project.aliases)
    for department in kb.programmes.popular_departments.items:
        _add(entries, "department", department)
    _add(entries, "department", kb.programmes.dual_degree.field)
    for scholarship in kb.scholarship_support.programmes:
        _add(entries, "scholarship", scholarship.name, *scholarship.aliases)
        _add_cyrillic_cases(entries[("scholarship", scholarship.name)], *scholarship.aliases)
    for retired in getattr(kb, "retired", None) or []:
        named = retired_name(retired)
        if named is not None:
            label, value, aliases = named
            _add(entries, label, value, *aliases)
            _add_cyrillic_cases(entries[(label, value)], *aliases)


def retired_name(retired: Any) -> Tuple[str, str, List[str]] | None:
    """(entity label, canonical value, other names) of a retired organisation or project, as
    the entity of the fact was before it was retired; None for a retired statement or figure."""
    snapshot = getattr(retired, "snapshot", None) or {}
    aliases = [a for a in getattr(retired, "aliases", None) or [] if a]
    if snapshot.get("acronym"):
        names = [snapshot.get("name"), *snapshot.get("aliases", []), *aliases]
        return "project", snapshot["acronym"], [n for n in names if n]
    name = getattr(retired, "name", None) or snapshot.get("name")
    if not name or "country" not in snapshot:
        return None
    label = "university" if snapshot.get("kind", "university") == "university" else "organisation"
    return label, name, [*snapshot.get("aliases", []), *aliases]


def _drop_ambiguous(entries: List[Entry]) -> List[Entry]:
    """A surface form naming two different things is dropped from both (rather than guessed)."""
    owners: Dict[str, Set[tuple]] = {}
    for entry in entries:
        for form in (*entry.forms, *entry.local_forms):
            owners.setdefault(form, set()).add((entry.label, entry.value))
    ambiguous = {form for form, who in owners.items() if len(who) > 1}
    for entry in entries:
        entry.forms = [f for f in entry.forms if f not in ambiguous]
        entry.local_forms = [f for f in entry.local_forms if f not in ambiguous]
    return entries
