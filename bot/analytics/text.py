"""The normalised form of a question that groups "Erasmus?" with "erasmus" in top questions.

Exact grouping after folding case, accents of the same letter stay (Azerbaijani "ə" is a letter,
not decoration), punctuation and spacing: cheap enough for 100,000 conversations, where the
inbox's meaning-based grouping (bot/faq/grouping.py, O(n^2)) is not.
"""

from __future__ import annotations

import re
import unicodedata

MAX_KEY = 200
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def question_key(text: str | None) -> str | None:
    """Casefolded words of `text` joined by single spaces; None when nothing is left."""
    if not text:
        return None
    folded = unicodedata.normalize("NFC", text).casefold()
    words = _NOT_WORD.sub(" ", folded).split()
    return " ".join(words)[:MAX_KEY] or None
