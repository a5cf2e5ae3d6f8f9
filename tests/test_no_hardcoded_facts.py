"""Facts live in knowledge/ only: no figure or name of the knowledge base is written into the
domain's responses, the answer code, the understanding code (fact retrieval) or the actions."""

import re
from pathlib import Path

import pytest
import yaml

from bot.answers import knowledge

ROOT = Path(__file__).resolve().parent.parent
CODE = [
    *sorted((ROOT / "bot" / "answers").glob("*.py")),
    *sorted((ROOT / "bot" / "understanding").glob("*.py")),
    *sorted((ROOT / "actions").glob("*.py")),
]


def kb_figures() -> set:
    kb = knowledge().kb
    figures = {kb.international_students.count, kb.international_students.country_count}
    figures |= {kb.mobility.students.count, kb.mobility.staff.count}
    figures |= {kb.programmes.english_taught.count}
    figures |= {c.count for p in kb.exchange_programmes for c in p.partner_claims}
    figures |= {p.period.start for p in kb.projects if p.period}
    figures |= {p.period.end for p in kb.projects if p.period}
    return {str(f) for f in figures if f > 2}


def kb_names() -> set:
    index = knowledge()
    names = {o.name for o in index.kb.organisations}
    names |= {p.acronym for p in index.kb.projects if len(p.acronym) > 4}
    names |= {index.country_name(c) for c in index.kb.international_students.countries}
    names |= {d for d in index.kb.programmes.popular_departments.items}
    return names


def responses_text() -> str:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return "\n".join(
        variant.get("text", "") for variants in domain["responses"].values() for variant in variants
    )


@pytest.mark.parametrize(
    "where", ["domain.yml responses", *[str(p.relative_to(ROOT)) for p in CODE]]
)
def test_no_knowledge_base_figure_or_name_is_hard_coded(where):
    text = responses_text() if where == "domain.yml responses" else (ROOT / where).read_text()
    text = re.sub(r'""".*?"""', "", text, flags=re.S)  # docstrings may give examples
    text = "\n".join(line.split("#")[0] for line in text.splitlines())  # so may comments
    numbers = set(re.findall(r"\b\d+\b", text)) & kb_figures()
    if where != "domain.yml responses":
        numbers = {n for n in numbers if int(n) >= 10}  # code has small constants of its own
    names = {n for n in kb_names() if n in text}
    assert not numbers and not names, f"{where} states {sorted(numbers | names)}"
