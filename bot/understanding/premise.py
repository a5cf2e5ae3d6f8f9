"""Premise check: when a message asserts or presupposes a fact, say whether the page agrees.

"NIZAMI was coordinated by Heidelberg, right?" must not get a "yes" nor a bare "no": it gets
the fact ("No: NIZAMI is coordinated by the University of Montpellier (France); Heidelberg
University took part..."). Three outcomes, each rendered from the knowledge base
(bot/answers/premise.py): confirmed, corrected, or not stated (the page names no such thing,
and who to ask).

`check_premise` returns None for the many messages that assert nothing checkable, above all
plain questions, so a caller can try it first and fall back to its normal answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Tuple

from bot.answers.base import Answer
from bot.answers.premise import render
from bot.kb.schema import Cited
from bot.understanding.claims import Claim, find_claim


@dataclass(frozen=True)
class PremiseCheck:
    outcome: str  # "confirmed" | "corrected" | "not_stated"
    answer: Answer  # rendered from knowledge-base facts, ending with its source line
    claim: Claim  # what the message was read as asserting
    facts: Tuple[Cited, ...] = ()  # the facts the answer rests on, for tracing every sentence


def check_premise(text: str, entities: Sequence[dict] = ()) -> PremiseCheck | None:
    """The claim the message makes, checked against the knowledge base; None when the message
    asserts nothing checkable. `entities` are Rasa entity dicts (entity, value, start, end) when
    the caller has them; names are also found in the text itself."""
    if not text or not any(c.isalpha() for c in text):
        return None
    claim = find_claim(text, entities)
    if claim is None:
        return None
    outcome, reply, facts = render(claim)
    return PremiseCheck(outcome, reply, claim, facts)
