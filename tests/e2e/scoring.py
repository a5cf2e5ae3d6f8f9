"""How a reply is judged: the rules of ../shared/eval/score.py (the team's scorer), kept here so
the end-to-end tests run from a clean checkout with nothing outside the repository."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Dict, List

HONEST = (
    r"don'?t know|do not know|don'?t have|do not have|not sure|couldn'?t find|could not find|"
    r"no information|not available|unable to|can'?t answer|cannot answer|can'?t help|cannot help|"
    r"outside (of )?(my|what)|not something i|i'?m not able|i am not able|no details|not in my|"
    r"beyond my|only (answer|help)|no (data|record|details)|not (listed|mentioned|covered)|"
    r"(doesn'?t|does not|don'?t|do not) (say|mention|list|cover|include|contain)|"
    r"(doesn'?t|does not|don'?t|do not) (give|name|state|describe)|"
    r"(isn'?t|is not|aren'?t|are not) (covered|given|listed|mentioned|stated)|"
    r"not (yet )?(in|part of) (my|our|the)|i'?m afraid|no (such )?(answer|info)"
)
NEGATIVE = r"\b(no|not|don'?t|do not|none|isn'?t|aren'?t|neither)\b"


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower().replace("’", "'")


def flatten(messages: List[Dict]) -> str:
    parts = []
    for message in messages:
        if message.get("text"):
            parts.append(message["text"])
        parts += [str(b.get("title", "")) for b in message.get("buttons") or []]
        if message.get("custom"):
            parts.append(json.dumps(message["custom"], ensure_ascii=False))
    return "\n".join(parts)


def _match(group: List[str], text: str) -> bool:
    return any(re.search(fold(p), text) for p in group)


def judge(case: Dict, reply: str) -> List[str]:
    """Why the reply fails the case; empty when it passes."""
    text = fold(reply)
    if not text.strip():
        return ["empty reply"]
    why = [f"missing {g}" for g in case.get("all", []) if not _match(g, text)]
    if "some" in case:
        k, groups = case["some"]["k"], case["some"]["of"]
        hits = sum(_match(g, text) for g in groups)
        if hits < k:
            why.append(f"only {hits}/{k} of list")
    why += [f"forbidden /{p}/" for p in case.get("none", []) if re.search(fold(p), text)]
    if case.get("honest") and not re.search(HONEST, text):
        why.append("not an honest 'I don't know'")
    if case.get("honest_or_negative") and not (
        re.search(HONEST, text) or re.search(NEGATIVE, text)
    ):
        why.append("neither negative nor honest")
    return why
