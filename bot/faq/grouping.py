"""Group similar unanswered questions for the staff inbox, so one FAQ entry can answer a group.

Average-linkage agglomerative clustering on cosine similarity of the multilingual e5 embeddings
(bot/language/e5.py, the FAQ's encoder):
clusters are merged, most similar pair first, while their average pairwise similarity is at
least `threshold`. Average linkage (not single) avoids chaining: "visa letter" -> "visa fee" ->
"tuition fee" never ends up as one group because of two borderline links. Deterministic: ties go
to the lowest indices, and the output order is fixed (largest group first, then by first index).
O(n^2) memory and O(n^3) time in the worst case; fine for an inbox of a few hundred questions
(1000 questions take about a second).
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

from bot.language.hybrid import Encoder

# multilingual-e5 cosines are compressed: paraphrases of one question score 0.90-0.95, different
# topics of the same domain 0.77-0.90 ("how much is the dorm" / "how much is tuition": 0.90, one
# question word for word in Turkish and Azerbaijani: 0.90, in Russian and English 0.84-0.88).
# 0.89 keeps the topics of tests/faq/test_grouping.py apart and groups the closest translations;
# with all-MiniLM-L6-v2 (English only) it was 0.55.
DEFAULT_GROUP_THRESHOLD = 0.89


def group_similar(
    texts: Sequence[str], encoder: Encoder, threshold: float = DEFAULT_GROUP_THRESHOLD
) -> List[List[int]]:
    """Indices of `texts` grouped by meaning; every index appears in exactly one group."""
    if not texts:
        return []
    vectors = np.asarray(encoder.encode(list(texts)), dtype="float64")
    return cluster_vectors(vectors, threshold)


def cluster_vectors(vectors: np.ndarray, threshold: float) -> List[List[int]]:
    """Average-linkage clustering of L2-normalised rows (split out so it can be tested exactly)."""
    n = len(vectors)
    if n == 0:
        return []
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    members: List[List[int]] = [[i] for i in range(n)]
    active = np.ones(n, dtype=bool)
    while True:
        masked = np.where(active[:, None] & active[None, :], similarity, -np.inf)
        flat = int(np.argmax(masked))  # first maximum in row-major order: lowest (i, j)
        i, j = divmod(flat, n)
        if not np.isfinite(masked[i, j]) or masked[i, j] < threshold:
            break
        a, b = min(i, j), max(i, j)
        size_a, size_b = len(members[a]), len(members[b])
        # Lance-Williams update for average linkage: the merged cluster's similarity to k is the
        # size-weighted mean of a's and b's.
        merged = (size_a * similarity[a] + size_b * similarity[b]) / (size_a + size_b)
        similarity[a, :] = merged
        similarity[:, a] = merged
        similarity[a, a] = -np.inf
        similarity[b, :] = -np.inf
        similarity[:, b] = -np.inf
        members[a] = sorted(members[a] + members[b])
        members[b] = []
        active[b] = False
    groups = [members[i] for i in range(n) if active[i]]
    return sorted(groups, key=lambda group: (-len(group), group[0]))
