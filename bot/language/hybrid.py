"""Hybrid retrieval: sentence embeddings fused with BM25 into one calibrated score in [0, 1].

Shared by the staff FAQ (bot/faq/retrieval.py) and fact retrieval over the knowledge base
(bot/understanding/facts.py): both have a few hundred short documents, both must answer a
paraphrase that shares no word with its document, and both must match names (acronyms, "PROMIG",
"Chevening", "Bragança") that a small sentence encoder does not know.

A document has keys (texts that are embedded; its semantic score is its closest key's cosine),
BM25 fields (text, weight), and optionally keyword fields (its words and its tags). Scoring is a
noisy-OR of three pieces of evidence, each in [0, 1]:

    semantic s = max(0, (max cosine(query, key) - floor) / (1 - floor)) over the document's keys
    lexical  l = BM25(query, document) / sum of idf of the query's terms, clipped to [0, 1]
    keyword  k = 1 if every word of the query is a word of the document, and the query contains
                 one of its tags whole; else 0
    named    n = 1 if the query contains one of the document's tags whole (its subject's name or
                 an alias), whatever else it says; else 0
    score      = 1 - (1 - s) * (1 - lexical_weight * l) * (1 - keyword_weight * k)
                   * (1 - named_weight * n)

Why this shape and not a weighted sum:
- With no word in common (l = 0, k = 0) the score is the (rescaled) cosine itself, so a
  paraphrase sharing no word with its document is not penalised as a weighted sum would.
- Each other signal closes part of the remaining gap to 1: a shared rare word lifts a document the
  embedding under-rates, but lexical evidence alone (s = 0) tops out at lexical_weight, below any
  sensible threshold, so one coincidental word can't answer. Monotone in every signal.
- `l` is normalised by the query's total idf rather than by the best document's score: it says
  how much of the query's information a document explains, so query words no document contains
  (a topic nobody covers) keep it low.
- `named` (off for the FAQ, whose tags are topics; on for facts, whose tags are names): "the
  Erasmus exchange for students" is about Erasmus+ before it is about student mobility.
- Typos: with `fuzzy_terms`, a query word no document contains is replaced by the one index word
  it is unambiguously close to ("bilaterl" -> "bilateral", "chevning" -> "chevening";
  bot/language/textfold.py), so BM25 and the tags still see it; nothing changes for the encoder.
- `relative_span` (for e5): how far the best document stands out from the median document says
  more than the cosine itself. A question about nothing here (fees, weather) is about as close to
  every fact; one about a fact is closer to it than to the rest. Measured on the labelled facts
  set: the best cosine of an answerable query and of an unanswerable one overlap (10th percentile
  0.849 vs 90th 0.854), their distance above the median much less (0.054 vs 0.059, medians 0.079
  vs 0.034). The distance is divided by `relative_span` and clipped to [0, 1].
- `floor`: encoders differ in how cosines spread. all-MiniLM-L6-v2 puts unrelated texts near 0;
  multilingual-e5 puts them near 0.75 (its contrastive training temperature), so its cosines are
  rescaled from [floor, 1] to [0, 1] before they are fused, and one threshold means the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, List, Mapping, Protocol, Sequence, Tuple

import numpy as np

from bot.language.bm25 import BM25, tokenize
from bot.language.textfold import closest_unambiguous

FUZZY_CUTOFF = 0.84  # as bot/kb/index.py: "Germny" is Germany, "Guinea" is not Ghana
FUZZY_MIN_LENGTH = 5
# A typo drops or adds a letter or two; "nationality" is not a typo of "national".
FUZZY_MAX_LENGTH_DIFFERENCE = 2


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings, one row per text."""


def combine(
    semantic: float,
    lexical: float,
    keyword: bool = False,
    lexical_weight: float = 0.5,
    keyword_weight: float = 0.5,
    named: bool = False,
    named_weight: float = 0.0,
) -> float:
    """The fused score (see the module docstring for why this shape)."""
    s = min(1.0, max(0.0, semantic))
    l = min(1.0, max(0.0, lexical))  # noqa: E741
    return 1.0 - (1.0 - s) * (1.0 - lexical_weight * l) * (
        1.0 - keyword_weight * float(keyword)
    ) * (1.0 - named_weight * float(named))


def rescale(cosine: float, floor: float) -> float:
    """A cosine mapped from [floor, 1] to [0, 1] (see `floor` in the module docstring)."""
    if floor <= 0.0:
        return max(0.0, cosine)
    return max(0.0, (cosine - floor) / (1.0 - floor))


@dataclass(frozen=True)
class HybridDoc:
    """What the index needs of one document; the caller keeps the document itself."""

    keys: Sequence[str]
    fields: Sequence[Tuple[str, float]]
    tags: Sequence[str] = ()
    keyword_texts: Sequence[str] = ()  # words a keyword query may use (tags are added)


@dataclass(frozen=True)
class Scored:
    """One document's evidence for one query."""

    position: int  # of the document in the list the index was built from
    score: float
    semantic: float  # rescaled best cosine, 0..1
    lexical: float  # normalised BM25, 0..1
    key: str  # the key closest in meaning
    keyword: bool = False
    named: bool = False


@dataclass(frozen=True)
class Weights:
    lexical: float = 0.5
    keyword: float = 0.5
    floor: float = 0.0
    named: float = 0.0
    fuzzy_terms: bool = False
    # Relative semantic evidence: (cosine - the median document's cosine) / span, see above.
    relative_span: float | None = None


@dataclass
class _Keywords:
    words: FrozenSet[str]
    tags: List[FrozenSet[str]] = field(default_factory=list)


class HybridIndex:
    """An immutable snapshot: key embeddings, BM25 and keyword sets over a list of documents."""

    def __init__(
        self,
        docs: Sequence[HybridDoc],
        key_texts: List[str],
        key_owner: np.ndarray,
        key_vectors: np.ndarray,
        weights: Weights,
    ) -> None:
        self.docs = list(docs)
        self.weights = weights
        self.key_texts = key_texts
        self._key_owner = key_owner
        self._key_vectors = key_vectors
        self._bm25 = BM25.build([doc.fields for doc in self.docs])
        self._keywords = [_keywords(doc) for doc in self.docs]
        self._vocabulary = frozenset(self._bm25.document_frequencies())
        self._vocabulary_list = sorted(self._vocabulary)
        self._corrections: Dict[str, str] = {}

    @classmethod
    def build(
        cls,
        docs: Sequence[HybridDoc],
        embed: Callable[[List[str]], np.ndarray],
        *,
        cache: Mapping[str, np.ndarray] | None = None,
        weights: Weights = Weights(),
    ) -> HybridIndex:
        """Embed every key with `embed` (reusing `cache` by exact text) and index every document."""
        key_texts: List[str] = []
        owners: List[int] = []
        for position, doc in enumerate(docs):
            for key in dict.fromkeys(k.strip() for k in doc.keys if k and k.strip()):
                key_texts.append(key)
                owners.append(position)
        cache = cache or {}
        missing = sorted({t for t in key_texts if t not in cache})
        fresh = dict(zip(missing, embed(missing), strict=True)) if missing else {}
        vectors = (
            np.vstack([fresh[t] if t in fresh else cache[t] for t in key_texts]).astype("float32")
            if key_texts
            else np.zeros((0, 1), dtype="float32")
        )
        return cls(docs, key_texts, np.asarray(owners, dtype="int64"), vectors, weights)

    def __len__(self) -> int:
        return len(self.docs)

    def embeddings(self) -> Dict[str, np.ndarray]:
        """Key text -> embedding, to seed the next build so unchanged keys aren't re-embedded."""
        return {text: self._key_vectors[i] for i, text in enumerate(self.key_texts)}

    def score_all(self, text: str, query: np.ndarray) -> List[Scored]:
        """Every document's evidence for `text` (embedded as `query`), in document order."""
        n = len(self.docs)
        cosine = np.full(n, -1.0)
        best_key = np.full(n, -1, dtype="int64")
        if len(self.key_texts):
            cosines = self._key_vectors @ np.asarray(query, dtype="float32")
            order = np.argsort(-cosines, kind="stable")
            for key in order:  # best key first: the first one seen per owner wins
                owner = self._key_owner[key]
                if best_key[owner] < 0:
                    best_key[owner] = key
                    cosine[owner] = float(cosines[key])
        weights = self.weights
        if weights.relative_span and n:
            baseline = float(np.median(cosine))
            semantic = [min(1.0, max(0.0, (c - baseline) / weights.relative_span)) for c in cosine]
        else:
            semantic = [rescale(float(c), weights.floor) for c in cosine]
        terms = frozenset(tokenize(text))
        if weights.fuzzy_terms:
            terms = frozenset(self._known(term) for term in terms)
        lexical = self._bm25.normalised_scores(terms) if n else []
        out = []
        for position in range(n):
            s = semantic[position]
            keywords = self._keywords[position]
            keyword = (
                bool(terms)
                and terms <= keywords.words
                and any(tag <= terms for tag in keywords.tags)
            )
            named = weights.named > 0 and any(tag <= terms for tag in keywords.tags)
            score = combine(
                s,
                lexical[position],
                keyword,
                weights.lexical,
                weights.keyword,
                named,
                weights.named,
            )
            key = self.key_texts[best_key[position]] if best_key[position] >= 0 else ""
            out.append(Scored(position, score, s, float(lexical[position]), key, keyword, named))
        return out

    def _known(self, term: str) -> str:
        """`term`, or the index word it is unambiguously a typo of (only for unknown words of 5+
        letters: short words are too easily close to something)."""
        if len(term) < FUZZY_MIN_LENGTH or term in self._vocabulary:
            return term
        if term not in self._corrections:
            near = [
                w
                for w in self._vocabulary_list
                if abs(len(w) - len(term)) <= FUZZY_MAX_LENGTH_DIFFERENCE
            ]
            close = closest_unambiguous(term, near, lambda w: w, FUZZY_CUTOFF)
            self._corrections[term] = close or term
        return self._corrections[term]

    def top(self, text: str, query: np.ndarray, k: int = 3) -> List[Scored]:
        """The k best documents, best first (ties by position, so results are stable)."""
        ranked = sorted(self.score_all(text, query), key=lambda s: (-s.score, s.position))
        return ranked[: max(0, k)]


def _keywords(doc: HybridDoc) -> _Keywords:
    texts = [*doc.keyword_texts, *doc.tags]
    words = frozenset(t for text in texts for t in tokenize(text))
    tags = [frozenset(tokenize(tag)) for tag in doc.tags]
    return _Keywords(words, [tag for tag in tags if tag])
