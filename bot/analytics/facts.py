"""The paths of the facts an answer rests on (`projects[promig]`, `mobility.students`), for the
analytics metadata: the same addresses the knowledge base's storage, history and admin use."""

from __future__ import annotations

import threading
from typing import Dict, Iterable, List

from bot.kb.provenance import iter_cited

_lock = threading.Lock()
_cache: tuple[object, Dict[int, str]] | None = None  # (the knowledge base, id(fact) -> path)


def fact_paths(facts: Iterable[object]) -> List[str]:
    """Paths of `facts` in the current knowledge base; facts it doesn't hold are left out."""
    facts = list(facts)
    if not facts:
        return []
    from bot.answers.base import knowledge

    kb = knowledge().kb
    global _cache
    with _lock:
        if _cache is None or _cache[0] is not kb:
            # holds the knowledge base, so the ids stay those of its facts
            _cache = (kb, {id(fact): path for path, fact in iter_cited(kb)})
        paths = _cache[1]
    return [paths[id(fact)] for fact in facts if id(fact) in paths]
