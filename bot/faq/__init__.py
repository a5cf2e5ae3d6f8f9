"""FAQ retrieval: answer from staff-written entries without retraining (see retrieval.py)."""

from __future__ import annotations

from bot.faq.grouping import DEFAULT_GROUP_THRESHOLD, group_similar
from bot.faq.retrieval import (
    DEFAULT_THRESHOLD,
    LEXICAL_WEIGHT,
    FaqDoc,
    FaqIndex,
    LiveFaqIndex,
    Match,
    load_faq_file,
)

__all__ = [
    "DEFAULT_GROUP_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "LEXICAL_WEIGHT",
    "FaqDoc",
    "FaqIndex",
    "LiveFaqIndex",
    "Match",
    "group_similar",
    "load_faq_file",
]
