"""Choose the FAQ answer threshold on labelled queries: `python -m tests.faq.tune`.

Builds the index over the fixture FAQ (tests/faq/fixture_faq.yml), embeds the labelled queries
(tests/faq/threshold_set.yml) once, and sweeps the threshold (and, to justify it, the lexical
weight of the combined score). The set is split by a hash of each query's text into a tuning half
and a held-out half; choices are made on the tuning half only, the held-out half is reported.

Rule: the highest recall with precision >= 0.95 (a wrong answer costs more than "I don't know,
I've passed your question on"); among thresholds with equal recall, the highest one (the most
margin against false answers on topics the FAQ doesn't cover). For the lexical weight of the
combined score, each weight gets its best threshold by that rule, and the smallest weight whose
recall is within RECALL_SLACK of the best weight's wins: lexical evidence is the riskier signal on
near-miss topics (one shared word: "what time is it" vs "part-time jobs"), so more of it must buy
clearly more recall (more than ~3 of the ~56 answerable tuning queries) to be worth it.

Definitions (over the queries of a half):
- precision: of the queries answered (best score >= threshold), the fraction answered with the
  expected entry. A null query that gets an answer counts as a wrong answer.
- recall: of the answerable queries (expected is an entry), the fraction answered correctly.
- false-answer rate: of the null queries, the fraction that got an answer anyway.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np
import yaml

from bot.faq.retrieval import FaqIndex, Match, load_faq_file

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture_faq.yml"
LABELLED = HERE / "threshold_set.yml"
MIN_PRECISION = 0.95
THRESHOLDS = [round(0.30 + 0.02 * i, 2) for i in range(31)]  # 0.30 .. 0.90
LEXICAL_WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0]
RECALL_SLACK = 0.05


@dataclass(frozen=True)
class Query:
    text: str
    expected: int | None


@dataclass(frozen=True)
class Metrics:
    threshold: float
    precision: float
    recall: float
    false_answer_rate: float
    answered: int
    correct: int
    answerable: int
    nulls: int
    false_answers: int


def load_queries(path: Path = LABELLED) -> List[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Query(str(q["text"]), q.get("expected")) for q in data["queries"]]


def split(queries: Sequence[Query]) -> Tuple[List[Query], List[Query]]:
    """(tuning, held_out): by CRC32 of the text, so adding a query never moves the others."""
    tuning = [q for q in queries if zlib.crc32(q.text.encode("utf-8")) % 2 == 0]
    held_out = [q for q in queries if zlib.crc32(q.text.encode("utf-8")) % 2 == 1]
    return tuning, held_out


def top_matches(
    index: FaqIndex, queries: Sequence[Query], vectors: np.ndarray
) -> List[Match | None]:
    """The best match of every query, scored with the index's current lexical weight."""
    out = []
    for query, vector in zip(queries, vectors, strict=True):
        found = index.search_vector(query.text, vector, k=1)
        out.append(found[0] if found else None)
    return out


def measure(queries: Sequence[Query], best: Sequence[Match | None], threshold: float) -> Metrics:
    answered = correct = false_answers = 0
    for query, match in zip(queries, best, strict=True):
        if match is None or match.score < threshold:
            continue
        answered += 1
        if query.expected is None:
            false_answers += 1
        elif match.entry_id == query.expected:
            correct += 1
    answerable = sum(q.expected is not None for q in queries)
    nulls = len(queries) - answerable
    return Metrics(
        threshold=threshold,
        precision=correct / answered if answered else 1.0,
        recall=correct / answerable if answerable else 1.0,
        false_answer_rate=false_answers / nulls if nulls else 0.0,
        answered=answered,
        correct=correct,
        answerable=answerable,
        nulls=nulls,
        false_answers=false_answers,
    )


def choose(rows: Sequence[Metrics], min_precision: float = MIN_PRECISION) -> Metrics:
    """Highest recall with precision >= min_precision; ties go to the higher threshold."""
    eligible = [r for r in rows if r.precision >= min_precision] or list(rows)
    return max(eligible, key=lambda r: (r.recall, r.threshold))


def choose_weight(best_per_weight: dict) -> float:
    """The smallest lexical weight whose recall is within RECALL_SLACK of the best recall."""
    top = max(m.recall for m in best_per_weight.values())
    return min(w for w, m in best_per_weight.items() if m.recall >= top - RECALL_SLACK)


def row(label: str, m: Metrics) -> str:
    return (
        f"{label:>9} {m.threshold:5.2f}  {m.precision:9.3f} {m.recall:7.3f} "
        f"{m.false_answer_rate:8.3f}   {m.correct:3d}/{m.answered:<3d} of {m.answerable}"
        f"  false {m.false_answers}/{m.nulls}"
    )


HEADER = "     half thresh  precision  recall  false-ans   correct/answered     nulls answered"


def main() -> None:
    from bot.language.encoder import SentenceEncoder

    started = time.perf_counter()
    encoder = SentenceEncoder()
    encoder.encode(["warm up"])  # traces the tf.function
    loaded = time.perf_counter()
    docs = load_faq_file(FIXTURE)
    index = FaqIndex.build(docs, encoder)
    built = time.perf_counter()
    queries = load_queries()
    tuning, held_out = split(queries)
    sample = [q.text for q in queries[::4]]
    t0 = time.perf_counter()
    for text in sample:
        encoder.encode([text])
    t1 = time.perf_counter()
    for text in sample:
        index.search(text)
    t2 = time.perf_counter()
    encode_ms = (t1 - t0) / len(sample) * 1000
    search_ms = (t2 - t1) / len(sample) * 1000
    tune_vectors = encoder.encode([q.text for q in tuning])
    held_vectors = encoder.encode([q.text for q in held_out])

    print(
        f"fixture: {len(docs)} entries, {sum(len(d.key_texts()) for d in docs)} keys; "
        f"queries: {len(queries)} (tuning {len(tuning)}, held-out {len(held_out)}; "
        f"{sum(q.expected is None for q in queries)} null)"
    )
    print(
        f"encoder load {loaded - started:.1f}s, index build {(built - loaded) * 1000:.0f} ms; "
        f"per query: embed {encode_ms:.1f} ms, search (embed + score) {search_ms:.1f} ms"
    )

    print(
        f"\nlexical weight sweep (tuning half, each at its best threshold: max recall s.t. "
        f"precision >= {MIN_PRECISION})"
    )
    print(HEADER)
    per_weight = {}
    for weight in LEXICAL_WEIGHTS:
        index.lexical_weight = weight
        best = top_matches(index, tuning, tune_vectors)
        per_weight[weight] = choose([measure(tuning, best, t) for t in THRESHOLDS])
        print(row(f"w={weight:.2f}", per_weight[weight]))
    weight = choose_weight(per_weight)

    index.lexical_weight = weight
    tune_best = top_matches(index, tuning, tune_vectors)
    held_best = top_matches(index, held_out, held_vectors)
    rows = [measure(tuning, tune_best, t) for t in THRESHOLDS]
    chosen = choose(rows)
    print(f"\nthreshold sweep at lexical weight {weight:.2f}")
    print(HEADER)
    for r in rows:
        mark = "  <- chosen" if r.threshold == chosen.threshold else ""
        print(row("tuning", r) + mark)
    print(f"\nchosen: LEXICAL_WEIGHT = {weight}, DEFAULT_THRESHOLD = {chosen.threshold}")
    print(HEADER)
    print(row("tuning", chosen))
    print(row("held-out", measure(held_out, held_best, chosen.threshold)))
    print(row("all", measure(tuning + held_out, tune_best + held_best, chosen.threshold)))

    every = tuning + held_out
    fired = [
        (q, m)
        for q, m in zip(every, tune_best + held_best, strict=True)
        if m is not None and m.keyword
    ]
    wrong = [q.text for q, m in fired if m.entry_id != q.expected]
    print(
        f"\nkeyword rule fired on the best match of {len(fired)} queries; "
        f"{len(wrong)} of them not the expected entry {wrong}"
    )

    print("\nheld-out errors at the chosen threshold:")
    for query, match in zip(held_out, held_best, strict=True):
        answered = match is not None and match.score >= chosen.threshold
        got = match.entry_id if answered and match is not None else None
        if got != query.expected:
            detail = (
                f"score {match.score:.2f} (s {match.semantic:.2f}, l {match.lexical:.2f})"
                if match
                else ""
            )
            print(
                f"  {query.text!r}: expected {query.expected}, got {got}, best "
                f"{match.entry_id if match else None} {detail}"
            )


if __name__ == "__main__":
    main()
