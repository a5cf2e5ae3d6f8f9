"""Small builders shared by the store tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.staff_db.validation import FaqDraft

AS_OF = dt.date(2024, 9, 1)


def draft(question: str = "How do I apply as an exchange student?", **fields: Any) -> FaqDraft:
    values: dict = {
        "answer": "Apply through the [international office](https://beu.edu.az/en/international).",
        "phrasings": ["exchange application", "how to apply for exchange"],
        "tags": ["exchange"],
        "owner": "international office",
        "as_of": AS_OF,
        "review_by": dt.date(2025, 9, 1),
    }
    values.update(fields)
    return FaqDraft(question=question, **values)
