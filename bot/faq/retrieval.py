"""Retrieval over the published FAQ entries that staff write, answerable without retraining.

The action server calls this when the NLU has no confident intent (or the intent is a general
question): the best entry above `DEFAULT_THRESHOLD` answers, otherwise the bot says it doesn't know.
Staff edits show up within `min_interval` seconds (`LiveFaqIndex`), because nothing here is
trained: entries are embedded with the same all-MiniLM-L6-v2 encoder the NLU already loads, and
only keys whose text changed are embedded again.

Scoring: a noisy-OR of three pieces of evidence, each in [0, 1]:

    semantic s = max(0, max cosine(query, key)) over the entry's keys (question + phrasings)
    lexical  l = BM25(query, entry) / sum of idf of the query's terms, clipped to [0, 1]
    keyword  k = 1 if every word of the query is a word of the entry's question, phrasings or
                 tags, and the query contains one of its tags whole; else 0
    score      = 1 - (1 - s) * (1 - LEXICAL_WEIGHT * l) * (1 - KEYWORD_WEIGHT * k)
               = s + LEXICAL_WEIGHT * l * (1 - s)          when k = 0

Why this shape and not a weighted sum:
- With no word in common (l = 0, k = 0) the score is the cosine itself, so a paraphrase sharing
  no word with the entry is not penalised as a weighted sum would penalise it (on the tuning
  half a weighted sum (1-w)*s + w*l reached recall 0.54 at precision >= 0.95 with w = 0.5, and
  0.93 with w = 0.25, which this formula matches); staff can read the threshold as "how similar
  in meaning".
- Each other signal closes part of the remaining gap to 1: a shared rare word lifts an entry the
  embedding under-rates, but lexical evidence alone (s = 0) tops out at LEXICAL_WEIGHT, below the
  threshold, so one coincidental word ("what time is it" vs "part-time jobs") can't answer. The
  score stays in [0, 1] and is monotone in every signal.
- `l` is normalised by the query's total idf rather than by the best document's score: it says
  how much of the query's information an entry explains, so query words no entry contains (a
  topic the FAQ doesn't cover) keep it low, instead of the best partial match being scaled to 1.
- The keyword rule is for names the embedding doesn't know: "Chevening" or "Braganca" alone has a
  cosine of ~0.2-0.3 to its entry. A query made only of the entry's words that names one of its
  tags is about that entry; staff control it through the tags. It answered no null query of the
  labelled set.

LEXICAL_WEIGHT and the threshold were chosen together on the labelled set in
tests/faq/threshold_set.yml (`python -m tests.faq.tune`, which prints the measured table).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Protocol, Sequence, Tuple

import numpy as np

from bot.faq.bm25 import BM25, tokenize

log = logging.getLogger(__name__)

# Chosen by tests/faq/tune.py: the highest recall with precision >= 0.95 on the tuning half
# (see the module docstring there for the rule and the measured table).
DEFAULT_THRESHOLD = 0.68
# How much lexical (BM25) evidence may close of the gap between the cosine and 1.
LEXICAL_WEIGHT = 0.5
# How much the keyword rule closes of what is left (enough for a bare tag name to pass).
KEYWORD_WEIGHT = 0.5
# BM25 field weight of the answer (question, phrasings and tags weigh 1). Answers are long and
# full of words said in passing; at a low weight a name that only the answer contains (an
# acronym, a partner, "Duolingo") still counts, but the text written to be matched dominates.
# A judgement call: on the tuning half weights 0 / 0.3 / 0.6 / 1 all reach recall 0.93-0.96 at
# precision >= 0.95; on the held-out half 0.3 answered 1/24 null queries, the others 2-3/24.
ANSWER_WEIGHT = 0.3
TAG_WEIGHT = 1.0


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings, one row per text."""


@dataclass(frozen=True)
class FaqDoc:
    """A published FAQ entry as the retrieval sees it (the store keeps the rest)."""

    entry_id: int
    question: str
    phrasings: List[str] = field(default_factory=list)
    answer: str = ""
    tags: List[str] = field(default_factory=list)

    def key_texts(self) -> List[str]:
        """Texts that are embedded and point to this entry: the question and each phrasing."""
        seen: Dict[str, None] = {}
        for text in [self.question, *self.phrasings]:
            text = (text or "").strip()
            if text:
                seen.setdefault(text, None)
        return list(seen)


@dataclass(frozen=True)
class Match:
    entry_id: int
    score: float  # combined, 0..1; compared with the threshold
    semantic: float  # best cosine over the entry's keys, clipped at 0
    lexical: float  # normalised BM25, 0..1
    key: str  # the question or phrasing that was closest in meaning
    keyword: bool = False  # the keyword rule fired (query = entry words incl. a whole tag)


def combine(
    semantic: float,
    lexical: float,
    keyword: bool = False,
    lexical_weight: float = LEXICAL_WEIGHT,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> float:
    """The combined score (see the module docstring for why this shape)."""
    s = min(1.0, max(0.0, semantic))
    l = min(1.0, max(0.0, lexical))  # noqa: E741
    return 1.0 - (1.0 - s) * (1.0 - lexical_weight * l) * (1.0 - keyword_weight * float(keyword))


def _keyword_fields(doc: FaqDoc) -> Tuple[frozenset, List[frozenset]]:
    """(every token of the question, phrasings and tags; the token set of each tag)."""
    texts = [doc.question, *doc.phrasings, *doc.tags]
    words = frozenset(t for text in texts for t in tokenize(text))
    tags = [frozenset(tokenize(tag)) for tag in doc.tags]
    return words, [tag for tag in tags if tag]


class FaqIndex:
    """An immutable snapshot: key embeddings + BM25 over a list of entries."""

    def __init__(
        self,
        docs: Sequence[FaqDoc],
        encoder: Encoder,
        key_texts: List[str],
        key_owner: np.ndarray,
        key_vectors: np.ndarray,
        bm25: BM25,
        threshold: float,
        lexical_weight: float,
    ) -> None:
        self.docs = list(docs)
        self.threshold = threshold
        self.lexical_weight = lexical_weight
        self._encoder = encoder
        self._key_texts = key_texts
        self._key_owner = key_owner
        self._key_vectors = key_vectors
        self._bm25 = bm25
        self._by_id = {doc.entry_id: doc for doc in self.docs}
        self._keywords = [_keyword_fields(doc) for doc in self.docs]

    @classmethod
    def build(
        cls,
        docs: Sequence[FaqDoc],
        encoder: Encoder,
        *,
        cache: Mapping[str, np.ndarray] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        lexical_weight: float = LEXICAL_WEIGHT,
    ) -> FaqIndex:
        """Embed every key (reusing `cache` by exact text) and index every entry for BM25."""
        ids = [doc.entry_id for doc in docs]
        if len(set(ids)) != len(ids):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"duplicate FAQ entry ids: {duplicates}")
        key_texts: List[str] = []
        owners: List[int] = []
        for position, doc in enumerate(docs):
            for key in doc.key_texts():
                key_texts.append(key)
                owners.append(position)
        cache = cache or {}
        missing = sorted({t for t in key_texts if t not in cache})
        fresh = dict(zip(missing, encoder.encode(missing), strict=True)) if missing else {}
        vectors = (
            np.vstack([fresh[t] if t in fresh else cache[t] for t in key_texts]).astype("float32")
            if key_texts
            else np.zeros((0, 1), dtype="float32")
        )
        bm25 = BM25.build(
            [
                [
                    (doc.question, 1.0),
                    *[(p, 1.0) for p in doc.phrasings],
                    *[(t, TAG_WEIGHT) for t in doc.tags],
                    (doc.answer, ANSWER_WEIGHT),
                ]
                for doc in docs
            ]
        )
        return cls(
            docs,
            encoder,
            key_texts,
            np.asarray(owners, dtype="int64"),
            vectors,
            bm25,
            threshold,
            lexical_weight,
        )

    def __len__(self) -> int:
        return len(self.docs)

    def doc(self, entry_id: int) -> FaqDoc | None:
        return self._by_id.get(entry_id)

    def embeddings(self) -> Dict[str, np.ndarray]:
        """Key text -> embedding, to seed the next build so unchanged keys aren't re-embedded."""
        return {text: self._key_vectors[i] for i, text in enumerate(self._key_texts)}

    def search(self, text: str, k: int = 3) -> List[Match]:
        """The k best entries for `text`, best first (ties by entry id, so results are stable)."""
        if not text or not text.strip() or not self.docs:
            return []
        query = self._encoder.encode([text])[0]
        return self.search_vector(text, query, k)

    def search_vector(self, text: str, query: np.ndarray, k: int = 3) -> List[Match]:
        """`search` with the query already embedded (the tuning script embeds in one batch)."""
        if not self.docs:
            return []
        semantic = np.full(len(self.docs), -1.0)
        best_key = np.full(len(self.docs), -1, dtype="int64")
        if len(self._key_texts):
            cosines = self._key_vectors @ np.asarray(query, dtype="float32")
            for key, (owner, cosine) in enumerate(zip(self._key_owner, cosines, strict=True)):
                if cosine > semantic[owner]:
                    semantic[owner] = cosine
                    best_key[owner] = key
        terms = frozenset(tokenize(text))
        lexical = self._bm25.normalised_scores(terms)
        ranked: List[Tuple[float, int, Match]] = []
        for position, doc in enumerate(self.docs):
            s = max(0.0, float(semantic[position]))
            words, tags = self._keywords[position]
            keyword = bool(terms) and terms <= words and any(tag <= terms for tag in tags)
            score = combine(s, lexical[position], keyword, self.lexical_weight)
            key = self._key_texts[best_key[position]] if best_key[position] >= 0 else doc.question
            match = Match(doc.entry_id, score, s, float(lexical[position]), key, keyword)
            ranked.append((-score, doc.entry_id, match))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [match for _, _, match in ranked[: max(0, k)]]

    def best(self, text: str, threshold: float | None = None) -> Match | None:
        """The best entry if its score reaches the threshold, else None (say "I don't know")."""
        matches = self.search(text, k=1)
        limit = self.threshold if threshold is None else threshold
        if matches and matches[0].score >= limit:
            return matches[0]
        return None


class LiveFaqIndex:
    """A FaqIndex that follows the store: staff edits are searchable without a restart.

    On `search`, `marker()` (cheap: e.g. the store's max(updated_at) or a version counter) is
    checked at most once per `min_interval` seconds; only when it changed are the docs reloaded
    and the index rebuilt, reusing the embeddings of every key whose text is unchanged. With the
    default 1 s an entry published at t is answerable by the first question after t + 1 s.

    Concurrency: an index is an immutable snapshot and searches read whichever snapshot is current
    (swapping the reference is atomic). One thread rebuilds at a time, under a lock; a search that
    finds a rebuild in progress does not wait but uses the previous snapshot. The marker is read
    *before* the docs, so an edit landing in between just causes one more rebuild, never a missed
    one. A rebuild is synchronous: in an asyncio action server it blocks the loop for the embedding
    of the changed keys only (tens of ms for an edit; the first build embeds everything, so call
    `refresh()` at start-up, or from `loop.run_in_executor` to keep the loop free). If loading
    fails, the error is logged and the previous snapshot keeps answering; it is retried after
    `min_interval`.
    """

    def __init__(
        self,
        load_docs: Callable[[], List[FaqDoc]],
        marker: Callable[[], object],
        encoder: Encoder,
        min_interval: float = 1.0,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        lexical_weight: float = LEXICAL_WEIGHT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load_docs = load_docs
        self._marker = marker
        self._encoder = encoder
        self.min_interval = min_interval
        self.threshold = threshold
        self.lexical_weight = lexical_weight
        self._clock = clock
        self._lock = threading.Lock()
        self._index: FaqIndex | None = None
        self._seen_marker: object = None
        self._checked_at = -math.inf
        self.rebuilds = 0

    @property
    def index(self) -> FaqIndex | None:
        """The current snapshot (None until the first successful load)."""
        return self._index

    def refresh(self, force: bool = False) -> bool:
        """Rebuild if the marker changed (or `force`); True when a new snapshot was installed."""
        if not force and self._clock() - self._checked_at < self.min_interval:
            return False
        # Before the first snapshot there is nothing to answer from, so wait for the builder.
        if not self._lock.acquire(blocking=self._index is None or force):
            return False
        try:
            now = self._clock()
            if not force and now - self._checked_at < self.min_interval:
                return False  # another thread checked while we waited
            self._checked_at = now
            marker = self._marker()
            if not force and self._index is not None and marker == self._seen_marker:
                return False
            docs = self._load_docs()
            previous = self._index.embeddings() if self._index is not None else {}
            self._index = FaqIndex.build(
                docs,
                self._encoder,
                cache=previous,
                threshold=self.threshold,
                lexical_weight=self.lexical_weight,
            )
            self._seen_marker = marker
            self.rebuilds += 1
            return True
        except Exception:
            log.exception("FAQ index refresh failed; answering from the previous snapshot")
            return False
        finally:
            self._lock.release()

    def search(self, text: str, k: int = 3, refresh: bool = True) -> List[Match]:
        if refresh:  # False: the caller refreshes elsewhere (a background thread)
            self.refresh()
        index = self._index
        return index.search(text, k) if index is not None else []

    def best(self, text: str, threshold: float | None = None, refresh: bool = True) -> Match | None:
        if refresh:
            self.refresh()
        index = self._index
        if index is None:
            return None
        return index.best(text, self.threshold if threshold is None else threshold)


def load_faq_file(path: str | Path, include_drafts: bool = False) -> List[FaqDoc]:
    """FaqDocs from a YAML file with a top-level `faq:` list (the seeds, the test fixture).

    An entry's id is its `id` field if it has one, else its 1-based position in the file.
    """
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    docs = []
    for position, entry in enumerate(data.get("faq") or [], start=1):
        if not include_drafts and entry.get("state", "published") != "published":
            continue
        docs.append(
            FaqDoc(
                entry_id=int(entry.get("id", position)),
                question=str(entry["question"]),
                phrasings=[str(p) for p in entry.get("phrasings") or []],
                answer=str(entry.get("answer") or ""),
                tags=[str(t) for t in entry.get("tags") or []],
            )
        )
    return docs
