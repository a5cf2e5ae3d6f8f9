"""Name matching shared by the knowledge index and the NLU components.

- Accent folding, so "Bragança" and "braganca", "Wrocław" and "wroclaw", "Bakı" and "baki" meet.
- Typo correction that refuses to guess: a word about as close to two different things
  ("latians": Latvians or Laotians?) names neither.

Unicode decomposition (NFKD) strips combining accents but leaves letters that are distinct
code points in their own right (ł, ø, đ, ı, ə, ß, æ, œ, þ): those are transliterated the way
students type them on an English keyboard.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
TIE = 0.02  # similarities this close are a tie

_LETTERS = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i",
        "ə": "e", "Ə": "E", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "þ": "th", "Þ": "Th",
    }
)  # fmt: skip


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTERS)


def closest_unambiguous(
    word: str, candidates: Sequence[str], meaning: Callable[[str], T], cutoff: float
) -> str | None:
    """The candidate closest to `word` (difflib ratio >= cutoff), unless a candidate that means
    something else is about as close."""
    close = difflib.get_close_matches(word, candidates, n=5, cutoff=cutoff)
    if not close:
        return None
    best = close[0]
    best_ratio = similarity(word, best)
    for other in close[1:]:
        if meaning(other) != meaning(best) and similarity(word, other) >= best_ratio - TIE:
            return None
    return best


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
