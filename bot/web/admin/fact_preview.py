"""What the assistant says from each fact, for the admin's knowledge screens.

The sentences are the fact-retrieval documents' (bot/understanding/fact_docs.py): rendered from
the live knowledge base by the same code the assistant answers with, so staff see the effect of
an edit as soon as it is saved, without asking the running bot. Computed once per revision.
"""

from __future__ import annotations

import logging
import threading

from bot.kb.index import KnowledgeIndex
from bot.kb.load import load_countries
from bot.kb.provenance import iter_cited
from bot.kb.schema import KnowledgeBase
from bot.understanding.fact_docs import docs_of

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cached: tuple[int, dict[str, list[str]]] | None = None


def sentences(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Fact path -> what the assistant says from it (empty for a fact nothing is said from)."""
    index = KnowledgeIndex(kb, load_countries())
    result: dict[str, list[str]] = {}
    for path, fact in iter_cited(kb):
        try:
            result[path] = [doc.sentence for doc in docs_of(index, path, fact)]
        except (ValueError, KeyError, AttributeError, TypeError) as error:
            # a kind of fact retrieval has no rule for yet: the page still shows the fact
            log.debug("no preview for %s: %s", path, error)
            result[path] = []
    return result


def sentences_at(revision: int, kb: KnowledgeBase) -> dict[str, list[str]]:
    """`sentences(kb)`, computed once for each revision of the live knowledge base."""
    global _cached
    with _lock:
        if _cached is not None and _cached[0] == revision:
            return _cached[1]
    result = sentences(kb)
    with _lock:
        _cached = (revision, result)
    return result
