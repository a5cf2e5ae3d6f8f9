"""Fact retrieval over the knowledge base: described things are found, what the page doesn't cover
is refused, answers come from bot/answers, and the facts' embeddings are cached and refreshed.

The floors are enforced on the held-out half of tests/understanding/fact_queries.yml (the
constants were chosen on the tuning half with `python -m tests.understanding.tune`).
"""

from __future__ import annotations

import dataclasses
import time
from typing import List, Sequence

import numpy as np
import pytest

from bot.answers import office, projects
from bot.answers.base import knowledge
from bot.kb.provenance import iter_cited
from bot.understanding import facts
from bot.understanding.fact_docs import fact_docs
from bot.understanding.fact_vectors import load_vectors
from tests.understanding import tune

# On the held-out half. Issue 12's bar is precision >= 0.95 at recall >= 0.85 with >= 95% of the
# unanswerable refused. Measured with the committed constants (python -m tests.understanding.tune):
# precision 0.953, recall 0.813, refused 0.963 (26 of 27). Precision and refusal meet the bar;
# recall does NOT (0.813 < 0.85): the floor below holds what is reached, so that a regression
# fails the build, and docs/nlu.md#fact-retrieval says what is missing.
HELD_OUT_MIN_PRECISION = 0.95
HELD_OUT_MIN_RECALL = 0.80
HELD_OUT_MIN_REFUSED = 0.95


@pytest.fixture(scope="module")
def index() -> facts.FactIndex:
    return facts.fact_index()


@pytest.fixture(scope="module")
def held_out(index):
    queries = tune.halves(tune.load_queries())[1]
    return queries, tune.ranked_facts(index, queries, tune.embed(index, queries))


def test_labelled_set_is_large_enough_and_split_once():
    queries = tune.load_queries()
    answerable = [q for q in queries if q.answerable]
    assert len(answerable) >= 160 and len(queries) - len(answerable) >= 50
    tuning, held = tune.halves(queries)
    assert len(tuning) + len(held) == len(queries)  # every query is in exactly one half
    assert sum(not q.answerable for q in held) >= 25
    topics = {d.topic for d in fact_docs(knowledge())}
    assert {q.topic for q in answerable} - {"organisation"} <= topics
    assert len(tune.load_queries("crosslingual")) >= 20


def test_held_out_floors(index, held_out):
    queries, ranked = held_out
    metrics = tune.measure(index, queries, ranked, facts.THRESHOLD, facts.MARGIN)
    print(f"\nfact retrieval, held-out half: {metrics}")
    assert metrics.precision >= HELD_OUT_MIN_PRECISION, metrics
    assert metrics.refused >= HELD_OUT_MIN_REFUSED, metrics
    assert metrics.recall >= HELD_OUT_MIN_RECALL, metrics


def test_committed_constants_meet_the_rule_on_the_tuning_half(index):
    """The full sweep (python -m tests.understanding.tune) takes a minute; this checks that the
    committed constants satisfy the rule they were chosen by, and their recall there."""
    queries = tune.halves(tune.load_queries())[0]
    ranked = tune.ranked_facts(index, queries, tune.embed(index, queries))
    metrics = tune.measure(index, queries, ranked, facts.THRESHOLD, facts.MARGIN)
    print(f"\nfact retrieval, tuning half: {metrics}")
    assert index.hybrid.weights == facts.WEIGHTS
    assert metrics.precision >= tune.MIN_PRECISION and metrics.refused >= tune.MIN_REFUSED
    assert metrics.recall >= 0.65, metrics  # measured 0.670


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("the project about crises in transport", "CRENG"),
        ("that science-talk competition with the British", "FameLab"),
        ("the UK government's scholarship for a one-year master's", "Chevening"),
        ("the project that continued UNIMIG", "PROMIG"),
        ("the document on PhD supervisors' and students' duties", "NIZAMI"),
        ("the EU research and innovation programme 2014-2020", "Horizon 2020"),
        ("the one about credit transfer between universities", "PAWER"),
        ("the enterprise programme with Newcastle", "Creative Spark"),
    ],
)
def test_a_described_subject_is_found_or_refused_never_mistaken(text, subject):
    hits = facts.find_facts(text)
    assert all(isinstance(h, facts.FactHit) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    if hits:
        assert hits[0].subject == subject, hits


@pytest.mark.parametrize(
    "text",
    [
        "how much is the tuition fee per year",
        "who is the dean of the engineering faculty",
        "what's the weather like in baku in winter",
        "is there a dormitory for foreign students",
    ],
)
def test_what_the_page_does_not_cover_finds_nothing(text):
    assert facts.find_facts(text) == []


def test_answers_are_rendered_by_bot_answers(index):
    hit = facts.FactHit("projects.CRENG.period", "project", "CRENG", "period", 0.9)
    assert facts.answer_from_facts([hit], "when").text == projects.project("CRENG", "period").text
    assert facts.answer_from_facts([], "fees?").text == office.not_covered().text
    for doc in index.docs:  # every kind of fact has a renderer, and it answers from the page
        hit = facts.FactHit(doc.path, doc.topic, doc.subject, doc.aspect, 1.0)
        answer = facts.answer_from_facts([hit], "")
        assert answer.known, doc.path
        assert "_Source:" in answer.text, doc.path


def test_every_fact_of_the_knowledge_base_is_indexed(index):
    paths = {doc.path for doc in index.docs}
    for raw, fact in iter_cited(knowledge().kb):
        if raw == "university" or raw.startswith("organisations["):
            continue  # names, not answers (bot/understanding/fact_docs.py)
        if raw == "office.contacts" and not fact.filled():
            continue  # nothing known yet: the contact answer says so itself
        path = raw.replace("[", ".").replace("]", "")
        for project in knowledge().kb.projects:
            path = path.replace(f"projects.{project.id}", f"projects.{project.acronym}")
        assert path in paths, raw


BAD_INPUTS = {
    "empty": "",
    "blank": "   ",
    "punctuation": "?!?!...",
    "empty markup": "<b></b>",
    "2000 letters": "x" * 2000,
    "140 questions": "which project? " * 140,
    "script": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("text", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_gets_a_bounded_result(index, text):
    started = time.perf_counter()
    hits = facts.find_facts(text, limit=3)
    assert len(hits) <= 3
    assert time.perf_counter() - started < 2.0
    assert facts.answer_from_facts(hits, text).text


def test_the_index_is_built_once_per_revision(index):
    assert facts.fact_index() is index
    assert index.revision == facts.revision(index.docs, index.encoder.name)
    facts.warm_up_in_background().join(timeout=60)
    assert facts.ready() and facts.fact_index() is index


class FakeEncoder:
    """Deterministic vectors, recording what it embeds: the cache's behaviour, not quality."""

    name = "fake"

    def __init__(self) -> None:
        self.embedded: List[str] = []

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += list(texts)
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8) for t in texts]
        return np.asarray([r / np.linalg.norm(r) for r in rows], dtype="float32").reshape(-1, 8)

    def query(self, text: str) -> np.ndarray:
        return self.passages([text])[0]


def test_fact_vectors_are_cached_and_refreshed_when_a_fact_changes(tmp_path):
    path = tmp_path / "fact_vectors.npz"
    docs = fact_docs(knowledge())
    encoder = FakeEncoder()
    first = facts.FactIndex.build(docs, encoder, vectors_file=path)
    assert first.embedded_now == len(encoder.embedded) > len(docs)
    stored = len(load_vectors(path))

    encoder.embedded.clear()
    again = facts.FactIndex.build(docs, encoder, vectors_file=path)
    assert again.embedded_now == 0 and encoder.embedded == []

    changed = dataclasses.replace(docs[0], sentence=docs[0].sentence + " (reworded)")
    facts.FactIndex.build([changed, *docs[1:-1]], encoder, vectors_file=path)
    assert encoder.embedded == [changed.sentence]  # only the reworded text
    assert len(load_vectors(path)) < stored  # the removed fact's own texts are dropped
    assert facts.revision([changed], "fake") != facts.revision(docs[:1], "fake")
