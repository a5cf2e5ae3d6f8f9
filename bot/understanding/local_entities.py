"""Names in Azerbaijani, Russian and Turkish with their case endings, found by look-up.

The knowledge build writes every typed variant of every local form ("polonya'da", "polsada",
"польше", "i̇randan", "amerika birleşik devletleri'nde": ~36,000 strings, bot/kb/local_names.py)
with its entity label and canonical value. Matching them as spaCy EntityRuler patterns was
measured first: as phrase patterns the pipeline took 10 s to load (each pattern is tokenized
again at load), as token patterns with sets ({"IN": [...]}) parsing went from 1.5 to 9.7 ms a
message. A dictionary look-up of each run of up to `MAX_WORDS` words costs microseconds and
loads in milliseconds.

A word is a run of letters and digits, with apostrophes and hyphens inside it ("Polonya'da",
"Polşa-da", "Гвинея-Бисау"): the suffix is part of the word, as spaCy's tokenizer keeps
"polonya'da" together (and splits "polşa-da"; the look-up does not depend on it).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Sequence, Tuple

WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
MAX_WORDS = 5  # "Amerika Birləşmiş Ştatları", "Сент-Китс и Невис": CLDR names are short
Target = Sequence[str]  # (entity label, canonical value, what the ending says)


def _overlaps(start: int, end: int, spans: Sequence[Tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def find(text: str, table: Dict[str, Target]) -> List[Dict[str, Any]]:
    """Longest local names in the text, left to right, not overlapping one another."""
    words = list(WORD.finditer(text))
    found: List[Dict[str, Any]] = []
    i = 0
    while i < len(words):
        hit = None
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            last = words[i + n - 1]
            gaps = [text[words[j].end() : words[j + 1].start()] for j in range(i, i + n - 1)]
            if any(not gap.isspace() for gap in gaps):
                continue  # words of one name are separated by spaces only
            start, end = words[i].start(), last.end()
            key = " ".join(text[start:end].split()).lower()
            target = table.get(key)
            if target:
                hit = (n, start, end, target)
                break
        if hit is None:
            i += 1
            continue
        n, start, end, target = hit
        found.append({"entity": target[0], "value": target[1], "start": start, "end": end})
        i += n
    return found


def merge(existing: List[Dict[str, Any]], local: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The entities with the local names added. A local name that covers existing entities
    whole and is longer replaces them ("Amerika Birleşik Devletleri'nde" over "Amerika"); one
    that only partly overlaps an existing entity is left out (the existing one stands)."""
    result = list(existing)
    for entity in local:
        start, end = entity["start"], entity["end"]
        inside = [e for e in result if "start" in e and start <= e["start"] and e["end"] <= end]
        others = [(e["start"], e["end"]) for e in result if "start" in e and e not in inside]
        if _overlaps(start, end, others):
            continue
        if any(e["end"] - e["start"] >= end - start for e in inside):
            continue
        result = [e for e in result if e not in inside] + [entity]
    return sorted(result, key=lambda e: e.get("start", -1))
