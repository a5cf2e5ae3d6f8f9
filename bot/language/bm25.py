"""A small Okapi BM25, so names and acronyms match even when sentence embeddings are weak.

MiniLM knows "visa" and "dormitory" well but has no idea what "PROMIG", "KA2" or "Chevening" are;
two texts sharing such a rare token are almost surely about the same thing, and BM25's idf says
exactly that. Dependency-free on purpose: the staff FAQ and the knowledge base's facts are a few
hundred short documents each, a dict of postings is plenty and rebuilding it takes milliseconds.
Shared by both through bot/language/hybrid.py.

Tokens: lowercase, accents folded (Bragança = Braganca, Wrocław = Wroclaw, Azerbaijani ə = e),
punctuation dropped, letters+digits kept together ("KA2", "H2020"), a short English stop list
removed and a naive plural stripped ("universities" = "university", "fees" = "fee").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

K1 = 1.2
B = 0.75

# Letters that NFKD does not decompose into base + combining mark.
_EXTRA_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "ə": "e",
        "Ə": "e",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "’": "'",
        "‘": "'",
    }
)

# Short, on purpose: question words and "not" are dropped (the embedding carries them), topic
# words such as "fee", "visa" or "student" never are.
_STOP_TEXT = """
    a an the and or but if of to in on at by for from with about as into than then so too very
    is are was were be been being am do does did doing done have has had having will would shall
    should can could may might must i me my mine we us our you your yours he him his she her it
    its they them their this that these those there here what which who whom whose when where why
    how all any some no not just also please pls plz hi hello hey thanks thank ok okay
    get got need want like know tell s t im ive id dont cant
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase without accents: students type "Braganca" for "Bragança"."""
    text = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _singular(token: str) -> str:
    # Naive on purpose (no stemmer dependency); tokens with digits are codes, never plurals.
    if any(c.isdigit() for c in token) or len(token) <= 3:
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str) -> List[str]:
    """Normalised word tokens of `text` (stop words removed)."""
    # Apostrophes join ("L'Aquila" -> "laquila", "don't" -> "dont"); other punctuation splits.
    folded = fold(text).replace("'", "")
    tokens = []
    for raw in _TOKEN.findall(folded):
        if raw in STOP_WORDS or (len(raw) == 1 and not raw.isdigit()):
            continue
        tokens.append(_singular(raw))
    return tokens


@dataclass
class BM25:
    """Okapi BM25 over weighted fields.

    A document is a list of (text, weight) fields; a term's frequency and the document length
    are the weighted sums over fields (BM25F-style), so a long answer can contribute at a lower
    weight than the question without a second index.
    """

    k1: float = K1
    b: float = B
    _tf: List[Dict[str, float]] = field(default_factory=list)
    _length: List[float] = field(default_factory=list)
    _df: Counter = field(default_factory=Counter)
    _postings: Dict[str, List[Tuple[int, float]]] = field(default_factory=dict)
    _avg_length: float = 1.0

    @classmethod
    def build(
        cls, docs: Sequence[Sequence[Tuple[str, float]]], k1: float = K1, b: float = B
    ) -> BM25:
        index = cls(k1=k1, b=b)
        for fields in docs:
            tf: Dict[str, float] = {}
            length = 0.0
            for text, weight in fields:
                for token in tokenize(text):
                    tf[token] = tf.get(token, 0.0) + weight
                    length += weight
            index._tf.append(tf)
            index._length.append(length)
            index._df.update(tf.keys())
            for token, f in tf.items():
                index._postings.setdefault(token, []).append((len(index._tf) - 1, f))
        index._avg_length = (sum(index._length) / len(index._length)) if index._length else 1.0
        index._avg_length = max(index._avg_length, 1e-9)
        return index

    def __len__(self) -> int:
        return len(self._tf)

    def idf(self, token: str) -> float:
        """Lucene's non-negative idf; a token no document has gets the highest idf of all."""
        n = len(self._tf)
        df = self._df.get(token, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str | Iterable[str]) -> List[float]:
        """Raw BM25 score of every document for `query` (text, or tokens already normalised)."""
        terms = set(tokenize(query) if isinstance(query, str) else query)
        out = [0.0] * len(self._tf)
        for term in terms:
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self.idf(term)
            for i, f in postings:
                norm = 1.0 - self.b + self.b * self._length[i] / self._avg_length
                out[i] += idf * f * (self.k1 + 1.0) / (f + self.k1 * norm)
        return out

    def normalised_scores(self, query: str | Iterable[str]) -> List[float]:
        """Scores divided by the query's total idf, clipped to [0, 1].

        A document of average length that contains every query term once scores 1 (the BM25 term
        weight at tf=1, dl=avgdl is exactly idf). Query words no entry contains count at the
        highest idf, so "how do I renew my driving licence" against a FAQ without "driving" or
        "licence" stays low even if "renew" matches: the share of the query's information that is
        explained, not just whether something matched.
        """
        terms = set(tokenize(query) if isinstance(query, str) else query)
        total = sum(self.idf(t) for t in terms)
        if total <= 0:
            return [0.0] * len(self._tf)
        return [min(1.0, s / total) for s in self.scores(terms)]

    def document_frequencies(self) -> Mapping[str, int]:
        return dict(self._df)
