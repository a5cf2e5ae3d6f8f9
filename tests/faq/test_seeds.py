"""knowledge/faq.yml: valid, practical, and stating nothing that knowledge/kb.yml doesn't."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from bot import paths
from bot.faq.retrieval import FaqIndex, load_faq_file
from bot.kb.load import load_kb
from bot.kb.provenance import iter_cited

SEEDS = paths.ROOT / "knowledge" / "faq.yml"
REQUIRED = {"question", "phrasings", "answer", "tags", "owner", "as_of", "review_by", "state"}
OPTIONAL = {"fact", "source"}


@pytest.fixture(scope="module")
def entries():
    return yaml.safe_load(SEEDS.read_text(encoding="utf-8"))["faq"]


@pytest.fixture(scope="module")
def facts():
    kb = load_kb()
    return kb, {path: fact for path, fact in iter_cited(kb)}


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_entries_have_every_field(entries):
    assert 1 <= len(entries) <= 10
    questions = [e["question"] for e in entries]
    assert len(set(questions)) == len(questions)
    for entry in entries:
        assert REQUIRED <= set(entry) <= REQUIRED | OPTIONAL, entry["question"]
        assert 3 <= len(entry["phrasings"]) <= 5, entry["question"]
        assert entry["tags"] and all(isinstance(t, str) for t in entry["tags"])
        assert 0 < len(entry["answer"]) <= 1000, entry["question"]
        assert entry["owner"] == "international-office"
        assert entry["state"] in {"published", "draft"}
        assert _date(entry["as_of"]) < _date(entry["review_by"])


def test_fact_ids_exist_in_the_knowledge_base(entries, facts):
    _, by_path = facts
    linked = [e["fact"] for e in entries if "fact" in e]
    assert linked, "seed answers should say which fact they rely on"
    assert [f for f in linked if f not in by_path] == []


def test_answers_invent_no_contact_fee_or_date(entries):
    for entry in entries:
        answer = entry["answer"]
        assert not re.search(r"https?://|www\.|\S+@\S+|\+?\d[\d\s-]{6,}", answer), answer
        assert not re.search(r"(?i)\b(AZN|USD|EUR|manat|\$|€)\b", answer), answer
        assert "source" not in entry or entry["source"].startswith("https://")


def _names(text: str) -> set:
    """Capitalised words that don't start a sentence: names, which must come from the fact."""
    found = set()
    for sentence in re.split(r"(?<=[.!?:])\s+|\n+", text.replace("**", "")):
        words = re.findall(r"[\w'+-]+", sentence)
        found |= {w.removesuffix("'s") for w in words[1:] if w[0].isupper()}
    return found - {"I", "I'm"}


def test_numbers_and_names_come_from_the_linked_fact(entries, facts):
    kb, by_path = facts
    # Who to ask is the standard honest fallback, so these names may appear in any answer.
    anyone = " ".join([kb.university.name, *kb.university.aliases, kb.office.department.name])
    for entry in entries:
        fact = by_path.get(entry.get("fact", ""))
        quoted = " ".join(fact.quote) if fact else ""
        stated = f"{quoted} {getattr(fact, 'text', '') or ''} {anyone}"
        for number in re.findall(r"\d+", entry["answer"]):
            assert number in quoted, f"{entry['question']}: {number} is not in the fact's quote"
        unstated = {name for name in _names(entry["answer"]) if name not in stated}
        assert not unstated, f"{entry['question']}: {sorted(unstated)} not in the linked fact"


def test_seeds_answer_their_own_topics_and_not_others(encoder):
    docs = load_faq_file(SEEDS)
    index = FaqIndex.build(docs, encoder)
    by_question = {d.question: d.entry_id for d in docs}
    for text, question in [
        (
            "where do i send my passport copy and diploma",
            "Where do I send my application documents?",
        ),
        (
            "who helps me get a residence permit",
            "Who helps me with migration registration and my residence permit?",
        ),
    ]:
        match = index.best(text)
        assert match is not None and match.entry_id == by_question[question], text
    for text in [
        "how much is tuition",
        "hi",
        "what's the weather",
        "who coordinates promig",
        "is there a dormitory for foreign students",
    ]:
        assert index.best(text) is None, text
