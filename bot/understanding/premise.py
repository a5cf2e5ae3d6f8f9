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

from bot.answers.base import Answer, answer
from bot.answers.premise import render
from bot.kb.schema import Cited
from bot.understanding.claims import Claim, find_claims

SEVERITY = ("confirmed", "not_stated", "corrected")  # a message is as wrong as its worst claim


@dataclass(frozen=True)
class PremiseCheck:
    outcome: str  # "confirmed" | "corrected" | "not_stated": the worst of its claims' outcomes
    answer: Answer  # rendered from knowledge-base facts, ending with its source line
    claims: Tuple[Claim, ...] = ()  # what the message was read as asserting, in order
    facts: Tuple[Cited, ...] = ()  # the facts the answer rests on, for tracing every sentence
    outcomes: Tuple[str, ...] = ()  # one per claim

    @property
    def claim(self) -> Claim:
        return self.claims[0]


def check_premise(text: str, entities: Sequence[dict] = ()) -> PremiseCheck | None:
    """The claims the message makes, checked against the knowledge base; None when the message
    asserts nothing checkable. `entities` are Rasa entity dicts (entity, value, start, end) when
    the caller has them; names are also found in the text itself."""
    if not text or not any(c.isalpha() for c in text):
        return None
    claims = find_claims(text, entities)
    if not claims:
        return None
    checked = [render(claim) for claim in claims]
    outcomes = tuple(outcome for outcome, _, _ in checked)
    facts = tuple(fact for _, _, cited in checked for fact in cited)
    reply = checked[0][1]
    if len(checked) > 1:
        bodies = [a.text.split("\n\n_Source:")[0] for _, a, _ in checked]
        reply = answer("\n\n".join(bodies), facts, reply.buttons, reply.topic, **reply.subject)
        reply.known = all(part.known for _, part, _ in checked)
    worst = max(outcomes, key=SEVERITY.index)
    return PremiseCheck(worst, reply, tuple(claims), facts, outcomes)
