"""Accent folding shared by the knowledge index and the NLU vocabulary, so "Bragança" and
"braganca", "Wrocław" and "wroclaw", "Bakı" and "baki" meet.

Unicode decomposition (NFKD) strips combining accents but leaves letters that are distinct
code points in their own right (ł, ø, đ, ı, ə, ß, æ, œ, þ): those are transliterated the way
students type them on an English keyboard.
"""

from __future__ import annotations

import unicodedata

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
