"""The run-time gazetteer: names of the live knowledge base that the trained model doesn't know.

The spaCy EntityRuler is compiled from knowledge/kb.yml when the model is trained. A partner
university or project staff add in the admin afterwards (or a name they retire) must still be
recognised, without `make train`: this table holds every name of the live knowledge base
(bot/offline/vocabulary.py `kb_vocabulary`, the very forms the ruler is compiled from: names,
aliases, unaccented spellings, Russian case forms of Cyrillic aliases) that the trained model
did not know, with the entity label and canonical value the ruler would give it.

Matching, like the knowledge index (bot/kb/index.py `fold`): accents, case and punctuation are
folded, the longest name wins, and a misspelt name (difflib ratio >= FUZZY_CUTOFF, same first
letter, about the same length) is recognised unless it is as close to another name. Nothing is
found where an extractor before it already found an entity.

Cost: with no new names (the usual case) `find` returns at once; with some, a regex over the
message and one dictionary look-up per run of words (tests/understanding/test_live_names.py
measures both).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Sequence, Tuple

from bot.kb import live
from bot.kb.index import fold
from bot.language.textfold import closest_unambiguous, similarity
from bot.understanding.local_entities import WORD, merge

FUZZY_CUTOFF = 0.84  # as bot/kb/index.py: "Kyoto Universty" is Kyoto University
MIN_FUZZY_LENGTH = 6  # shorter words are too often ordinary words one letter away
Target = Tuple[str, str]  # (entity label, canonical value)


def known_forms(entries: Iterable[Any]) -> FrozenSet[str]:
    """The folded forms of vocabulary entries: what a trained model's ruler recognises."""
    return frozenset(
        key
        for entry in entries
        for form in (*entry.forms, *entry.local_forms, *entry.case_sensitive)
        if (key := fold(form))
    )


@lru_cache(maxsize=8192)
def _folded(word: str) -> str:
    """A word as the names are folded; students reuse their words, so this is mostly a look-up."""
    return fold(word)


@dataclass(frozen=True)
class Gazetteer:
    """folded form -> (label, value), for the names the trained model lacks."""

    names: Dict[str, Target]
    longest: int  # words in the longest name
    words: FrozenSet[str] = frozenset()  # every word of every name
    # (first letter, words) -> the names a misspelling starting so could mean
    fuzzy: Dict[Tuple[str, int], List[str]] = field(default_factory=dict)
    initials: FrozenSet[str] = frozenset()  # the first letters of `fuzzy`

    @classmethod
    def build(cls, entries: Iterable[Any], trained: FrozenSet[str]) -> Gazetteer:
        names: Dict[str, Target] = {}
        for entry in entries:
            for form in (*entry.forms, *entry.local_forms, *entry.case_sensitive):
                key = fold(form)
                if key and key not in trained:
                    names.setdefault(key, (entry.label, entry.value))
        longest = max((len(key.split()) for key in names), default=0)
        words = frozenset(word for key in names for word in key.split())
        fuzzy: Dict[Tuple[str, int], List[str]] = {}
        for key in names:
            if len(key) >= MIN_FUZZY_LENGTH:
                fuzzy.setdefault((key[0], len(key.split())), []).append(key)
        return cls(names, longest, words, fuzzy, frozenset(letter for letter, _ in fuzzy))

    def __bool__(self) -> bool:
        return bool(self.names)

    def find(self, text: str, taken: Sequence[Tuple[int, int]] = ()) -> List[Dict[str, Any]]:
        """Entities (Rasa dicts) for the new names in `text`, longest first, left to right,
        none overlapping `taken` (what other extractors found)."""
        if not self.names:
            return []
        spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
        words = [_folded(text[start:end]) for start, end in spans]
        free = [not any(s < e2 and s2 < e for s2, e2 in taken) for s, e in spans]
        joined = [text[spans[j][1] : spans[j + 1][0]].isspace() for j in range(len(spans) - 1)]
        found: List[Dict[str, Any]] = []
        i = 0
        while i < len(words):
            hit = self._longest_at(words, free, joined, i)
            if hit is None:
                i += 1
                continue
            n, target, confidence = hit
            found.append(
                {
                    "entity": target[0],
                    "value": target[1],
                    "start": spans[i][0],
                    "end": spans[i + n - 1][1],
                    "confidence_entity": confidence,
                }
            )
            i += n
        return found

    def _longest_at(
        self, words: List[str], free: List[bool], joined: List[bool], i: int
    ) -> Tuple[int, Target, float] | None:
        """The longest name starting at word i: exact first, then misspelt."""
        first = words[i]
        if not free[i] or not first or (first not in self.words and first[0] not in self.initials):
            return None  # no name starts with this word, nor could a misspelt one
        n_max = 1
        while (
            n_max < min(self.longest, len(words) - i) and joined[i + n_max - 1] and free[i + n_max]
        ):
            n_max += 1
        for n in range(n_max, 0, -1):
            run = words[i : i + n]
            if not all(run):
                continue
            key = " ".join(run)
            target = self.names.get(key)
            if target is not None:
                return n, target, 1.0
            # a misspelt name: one word alone, or a run sharing a word with some name
            if n > 1 and not any(word in self.words for word in run):
                continue
            close = self._close(key, n)
            if close is not None:
                return n, self.names[close], round(similarity(key, close), 3)
        return None

    def _close(self, key: str, n: int) -> str | None:
        if len(key) < MIN_FUZZY_LENGTH:
            return None
        slack = max(2, len(key) // 6)
        candidates = [
            name for name in self.fuzzy.get((key[0], n), ()) if abs(len(name) - len(key)) <= slack
        ]
        if not candidates:
            return None
        return closest_unambiguous(key, candidates, self.names.__getitem__, FUZZY_CUTOFF)


# -- the names a question names, in the action server -------------------------------------------

_lock = threading.Lock()
_built: Tuple[Any, Gazetteer] | None = None  # (the KnowledgeIndex it follows, its gazetteer)
_trained: FrozenSet[str] | None = None


def _trained_names() -> FrozenSet[str]:
    """The names a model trained on knowledge/kb.yml (the export) knows."""
    global _trained
    if _trained is None:
        from bot.kb.load import load_countries, load_kb
        from bot.offline.vocabulary import kb_vocabulary

        countries = load_countries()
        _trained = known_forms(kb_vocabulary(load_kb(countries=countries), countries))
    return _trained


def gazetteer_for(index: Any) -> Gazetteer:
    """The gazetteer of a knowledge index: built once per reload (thread-safe)."""
    global _built
    built = _built
    if built is not None and built[0] is index:
        return built[1]
    from bot.kb.schema import CountryList
    from bot.offline.vocabulary import kb_vocabulary

    with _lock:
        built = _built
        if built is None or built[0] is not index:
            countries = CountryList(countries=list(index.countries.values()))
            gazetteer = Gazetteer.build(kb_vocabulary(index.kb, countries), _trained_names())
            _built = built = (index, gazetteer)
    return built[1]


@live.before_change
def _follow(index: Any) -> None:
    """Built in the reload thread before the new knowledge base is answered from, so no
    question waits for it (only in a process that uses it: the action server)."""
    if _built is not None:
        gazetteer_for(index)


def with_live_names(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """`entities` plus the names of the live knowledge base the NLU missed because its model
    predates them: the action server understands a partner staff added a minute ago even
    before the Rasa server's gazetteer (bot/rasa_server/nlu/live_names.py) is in its model."""
    from bot.answers.base import knowledge

    gazetteer = gazetteer_for(knowledge())
    if not gazetteer or not text:
        return entities
    found = gazetteer.find(text)
    return merge(entities, found) if found else entities
