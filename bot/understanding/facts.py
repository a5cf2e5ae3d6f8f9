"""Which fact of the knowledge base a message is about, when it names no subject.

"the project about crises in transport" is CRENG, "the document on PhD supervisors' and students'
duties" is NIZAMI's outcome.
Every fact (bot/understanding/fact_docs.py) is indexed by its rendered sentence, its quote and its
subject's names, and scored with the hybrid of bot/language/hybrid.py (e5 embeddings fused with
BM25), the same machinery as the staff FAQ. `find_facts` returns facts, never text: the answer is
rendered from them by bot/answers (`answer_from_facts`), so it says only what the knowledge base
says. It returns nothing unless the best fact clears a threshold calibrated on
tests/understanding/fact_queries.yml (docs/nlu.md#fact-retrieval): a question the page doesn't
answer (fees, visas, a dean's name) gets the honest "not covered" from the caller.

Cost: one e5 query embedding (~24 ms of one core) plus BM25 over ~70 facts (< 1 ms); the index is
built once per knowledge-base revision: at start from build/fact_vectors.npz, after staff publish a
change from the previous index's vectors plus the texts that changed (bot/kb/live.py).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import numpy as np

from bot.answers import exchange, office, programmes, projects, students
from bot.answers.base import Answer, knowledge
from bot.kb import live
from bot.language.hybrid import HybridDoc, HybridIndex, Scored, Weights
from bot.understanding.fact_docs import FactDoc, fact_docs
from bot.understanding.fact_vectors import (
    VECTORS_FILE,
    E5Encoder,
    FactEncoder,
    embed_with_cache,
)

log = logging.getLogger(__name__)

# Chosen on the tuning half of tests/understanding/fact_queries.yml (tests/understanding/tune.py):
# the highest recall with precision >= 0.95 and >= 95% of unanswerable queries refused.
THRESHOLD = 0.74
WEIGHTS = Weights(lexical=0.75, keyword=0.5, floor=0.74, named=0.3, fuzzy_terms=True)
MARGIN = 0.02  # how far the best fact must stand above one that would answer differently
COMPETITORS = 25  # facts ranked to find the best competitor (of ~70)
# Judgements, not tuned: BM25 weight of the source quote (long, and worded as the page words it)
# and of the names a fact refers to (its organisations and countries: evidence, but less than the
# fact's own words, since a partner's name also appears in its other projects' facts).
QUOTE_WEIGHT = 0.5
RELATED_WEIGHT = 0.5
_HAS_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class FactHit:
    path: str  # where the fact lives in kb.yml, e.g. "projects.CRENG.aims.0"
    topic: str  # project | projects | exchange | cooperation | scholarship | students | ...
    subject: str | None  # project acronym, exchange programme id, scholarship name ...
    aspect: str | None  # for projects: one of bot.answers.projects.ASPECTS
    score: float


def _hybrid_doc(doc: FactDoc) -> HybridDoc:
    names = " / ".join(doc.names)
    return HybridDoc(
        keys=[doc.sentence, doc.quote, *([names] if names else [])],
        fields=[
            (doc.sentence, 1.0),
            (doc.quote, QUOTE_WEIGHT),
            *[(n, 1.0) for n in doc.names],
            *[(r, RELATED_WEIGHT) for r in doc.related],
        ],
        tags=doc.names,
        keyword_texts=[doc.sentence, *doc.names, *doc.related],
    )


def revision(docs: Sequence[FactDoc], encoder_name: str) -> str:
    """Changes when any fact's text (or the encoder) does: the index is cached per revision."""
    digest = hashlib.sha256(encoder_name.encode())
    for doc in docs:
        digest.update(f"\n{doc.path}\n{doc.text}".encode())
    return digest.hexdigest()[:16]


class FactIndex:
    """An immutable snapshot: the facts of one knowledge-base revision, indexed."""

    def __init__(
        self,
        docs: Sequence[FactDoc],
        hybrid: HybridIndex,
        encoder: FactEncoder,
        threshold: float = THRESHOLD,
        embedded_now: int = 0,
    ) -> None:
        self.docs = list(docs)
        self.hybrid = hybrid
        self.encoder = encoder
        self.threshold = threshold
        self.revision = revision(self.docs, encoder.name)
        self.embedded_now = embedded_now  # facts embedded at load (changed since the build)
        # A question is embedded once, though both search and find_of_topic may rank it.
        self.query_vector = lru_cache(maxsize=64)(encoder.query)

    @classmethod
    def build(
        cls,
        docs: Sequence[FactDoc],
        encoder: FactEncoder,
        *,
        vectors_file: Path | None = VECTORS_FILE,
        weights: Weights = WEIGHTS,
        threshold: float = THRESHOLD,
        previous: FactIndex | None = None,
    ) -> FactIndex:
        """The index of `docs`. With `previous` (the index of the knowledge base before staff
        published a change), only the texts it has no vector for are embedded, and the build's
        file is neither read nor rewritten: the live process's edits are not the build's."""
        hybrid_docs = [_hybrid_doc(doc) for doc in docs]
        keys = [key for doc in hybrid_docs for key in doc.keys]
        if previous is not None and previous.encoder.name == encoder.name:
            known = previous.hybrid.embeddings()
            texts = dict.fromkeys(k.strip() for k in keys if k and k.strip())
            missing = [text for text in texts if text not in known]
            fresh = dict(zip(missing, encoder.passages(missing), strict=True)) if missing else {}
            vectors, embedded = {**known, **fresh}, len(missing)
        else:
            vectors, embedded = embed_with_cache(encoder, keys, vectors_file)
        hybrid = HybridIndex.build(hybrid_docs, encoder.passages, cache=vectors, weights=weights)
        return cls(docs, hybrid, encoder, threshold, embedded)

    def rank(self, text: str, vector: np.ndarray, limit: int) -> List[Scored]:
        """The best `limit` facts for `text` (embedded as `vector`), thresholds not applied."""
        return self.hybrid.top(text, vector, limit)

    def hit(self, scored: Scored) -> FactHit:
        doc = self.docs[scored.position]
        return FactHit(doc.path, doc.topic, doc.subject, doc.aspect, round(scored.score, 4))

    def search(self, text: str, limit: int = 3) -> List[FactHit]:
        """Facts the text is confidently about, best first; [] when none is."""
        if not usable(text) or limit <= 0:
            return []
        ranked = self.rank(text, self.query_vector(text), COMPETITORS)
        if not self.confident(ranked):
            return []
        return [self.hit(s) for s in ranked[:limit] if s.score >= self.threshold]

    def confident(
        self,
        ranked: Sequence[Scored],
        margin: float = MARGIN,
        threshold: float | None = None,
    ) -> bool:
        """The best fact clears the threshold, and stands `margin` above the best fact that
        would give a different answer (another topic, or another subject of the same topic).
        A general fact of a topic (no subject) and its subjects' facts don't compete: the
        answer about scholarships in general also names Chevening."""
        limit = self.threshold if threshold is None else threshold
        if not ranked or ranked[0].score < limit:
            return False
        best = self.docs[ranked[0].position]
        for other in ranked[1:]:
            doc = self.docs[other.position]
            if competes(best, doc):
                return ranked[0].score - other.score >= margin
        return True


def competes(best: FactDoc, other: FactDoc) -> bool:
    """Would `other` give a different answer from `best`?"""
    if other.topic != best.topic:
        return True
    return None not in (best.subject, other.subject) and other.subject != best.subject


def usable(text: str | None) -> bool:
    """Worth embedding: has a letter or digit (punctuation alone is about nothing)."""
    return bool(text and _HAS_WORD.search(text))


_lock = threading.Lock()
_current: tuple | None = None  # (the KnowledgeIndex it was built from, its FactIndex)
_encoder: FactEncoder | None = None


def default_encoder() -> FactEncoder:
    global _encoder
    if _encoder is None:
        _encoder = E5Encoder()
    return _encoder


def fact_index() -> FactIndex:
    """The index of the current knowledge base, built once per revision (thread-safe). A
    reloaded knowledge base whose facts read the same keeps the index it has."""
    global _current
    source = knowledge()
    current = _current
    if current is not None and current[0] is source:
        return current[1]
    if current is not None and not _lock.acquire(blocking=False):
        return current[1]  # being rebuilt for a published change: the last one meanwhile
    if current is None:
        _lock.acquire()
    try:
        current = _current
        if current is not None and current[0] is source:
            return current[1]
        docs = fact_docs(source)
        encoder = default_encoder()
        if current is not None and current[1].revision == revision(docs, encoder.name):
            index = current[1]
        else:
            started = time.perf_counter()
            previous = current[1] if current is not None else None
            index = FactIndex.build(docs, encoder, previous=previous)
            log.info(
                "fact index: %d facts, %d texts embedded now, %.0f ms",
                len(docs),
                index.embedded_now,
                (time.perf_counter() - started) * 1000,
            )
        _current = (source, index)
        return index
    finally:
        _lock.release()


@live.on_change
def _follow(_index: object) -> None:
    """After staff publish a change, index the new facts in the reload thread (re-embedding
    only the texts that changed), so no student's question waits for it. A process that never
    retrieved facts (the Rasa server) builds nothing."""
    if _current is not None:
        fact_index()


def warm_up_in_background() -> threading.Thread:
    """Build the index in a thread of its own at the action server's start (1.6 s from
    build/fact_vectors.npz, ~20 s without it), so the start isn't delayed; `ready()` says when it
    is done. A `find_facts` before then waits for the build instead of failing."""

    def load() -> None:
        try:
            fact_index()
        except Exception:
            log.exception("fact index warm-up failed; it is built on the first question instead")

    thread = threading.Thread(target=load, name="fact-index-warm-up", daemon=True)
    thread.start()
    return thread


def ready() -> bool:
    """An index is built: `find_facts` costs one query (for a second after staff publish a
    change, the previous knowledge base's index answers while the new one is built)."""
    return _current is not None


def write_vectors(vectors_file: Path = VECTORS_FILE) -> FactIndex:
    """`python -m bot kb`: embed every fact of knowledge/kb.yml (the build's, never the staff
    database's) into build/, so the action server starts warm."""
    from bot.kb.index import KnowledgeIndex
    from bot.kb.load import load_countries, load_kb

    countries = load_countries()
    files = KnowledgeIndex(load_kb(countries=countries), countries)
    return FactIndex.build(fact_docs(files), default_encoder(), vectors_file=vectors_file)


def find_facts(text: str, limit: int = 3) -> List[FactHit]:
    """The facts of the knowledge base `text` is about, best first; [] when nothing is
    confidently about it (calibrated: see THRESHOLD)."""
    if not usable(text):
        return []
    return fact_index().search(text, limit)


# When the question is known to be about a project (a project intent, no project named), only
# projects compete, so a lower bar holds: chosen on fact_queries.yml counting every non-project
# query as a would-be false positive (the worst case): tuning half precision 0.86 / recall 0.91,
# held-out 0.93 / 0.95 (docs/nlu.md).
TYPED_THRESHOLD = 0.60
TYPED_MARGIN = 0.08


def find_of_topic(
    text: str, topic: str, threshold: float = TYPED_THRESHOLD, margin: float = TYPED_MARGIN
) -> List[FactHit]:
    """The one subject of `topic` the text describes ("the EU project on crises in transport"
    is CRENG), when the caller knows the answer must be of that topic; [] when unsure."""
    if not usable(text):
        return []
    index = fact_index()
    ranked = [
        s
        for s in index.rank(text, index.query_vector(text), COMPETITORS)
        if index.docs[s.position].topic == topic and index.docs[s.position].subject
    ]
    if not ranked or ranked[0].score < threshold:
        return []
    best = index.docs[ranked[0].position]
    rival = next(
        (s.score for s in ranked[1:] if index.docs[s.position].subject != best.subject), 0.0
    )
    return [index.hit(ranked[0])] if ranked[0].score - rival >= margin else []


def _exchange(subject: str | None) -> Answer:
    if subject is None:
        return exchange.exchange_overview()
    others = [b for pid, b in exchange.EXCHANGE_BUTTONS.items() if pid != subject]
    return exchange.programme_answer(subject, others)


_PROGRAMMES: Dict[str, Callable[[], Answer]] = {
    "english_taught": programmes.english_programmes,
    "popular_departments": programmes.popular_departments,
    "dual_degree": programmes.dual_degree,
}
_OFFICE: Dict[str, Callable[[], Answer]] = {
    "contacts": office.contact,
    "admissions": office.admissions,
}
_RENDER: Dict[str, Callable[[FactHit], Answer]] = {
    "project": lambda hit: projects.project(hit.subject, hit.aspect or "details"),
    "projects": lambda hit: projects.projects_overview(),
    "exchange": lambda hit: _exchange(hit.subject),
    "cooperation": lambda hit: exchange.exchange_overview(),
    "scholarship": lambda hit: students.scholarships(hit.subject),
    "students": lambda hit: students.international_students(),
    "programmes": lambda hit: _PROGRAMMES.get(hit.subject or "", programmes.english_programmes)(),
    "mobility": lambda hit: exchange.mobility(),
    "office": lambda hit: _OFFICE.get(hit.subject or "", office.office)(),
}


def answer_from_facts(hits: List[FactHit], text: str) -> Answer:
    """The answer about the best fact, rendered by bot/answers; with no fact, the honest "the
    page doesn't cover that" and who to ask. `text` is the student's message (unused by the
    renderers today, kept so the caller need not know which renderer quotes it)."""
    if not hits:
        return office.not_covered()
    best = hits[0]
    render = _RENDER.get(best.topic)
    if render is None:
        log.error("no renderer for fact topic %r (%s)", best.topic, best.path)
        return office.not_covered()
    return render(best)
