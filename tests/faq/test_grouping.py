"""Staff inbox grouping: paraphrases together, different topics apart, same answer every time."""

from __future__ import annotations

import numpy as np

from bot.faq.grouping import DEFAULT_GROUP_THRESHOLD, cluster_vectors, group_similar

INBOX = [
    "how much is the dorm",  # 0
    "when is the deadline to apply",  # 1
    "dormitory price per month",  # 2
    "is there a gym",  # 3
    "application deadline for fall",  # 4
    "cost of student accommodation",  # 5
    "how much is tuition",  # 6
    "tuition fee for computer engineering",  # 7
    "what's the wifi password",  # 8
]


def test_paraphrases_are_grouped_and_topics_kept_apart(encoder):
    groups = group_similar(INBOX, encoder)
    as_sets = [set(g) for g in groups]
    assert {0, 2, 5} in as_sets  # dormitory cost
    assert {1, 4} in as_sets  # deadline
    assert {6, 7} in as_sets  # tuition ("how much is..." alone doesn't merge it with the dorm)
    assert {3} in as_sets and {8} in as_sets
    assert sorted(i for g in groups for i in g) == list(range(len(INBOX)))


def test_grouping_is_deterministic_and_ordered(encoder):
    first = group_similar(INBOX, encoder, DEFAULT_GROUP_THRESHOLD)
    assert first == group_similar(INBOX, encoder, DEFAULT_GROUP_THRESHOLD)
    assert [len(g) for g in first] == sorted((len(g) for g in first), reverse=True)
    assert all(g == sorted(g) for g in first)


def test_threshold_extremes(encoder):
    assert group_similar(INBOX, encoder, threshold=1.01) == [[i] for i in range(len(INBOX))]
    assert group_similar(INBOX, encoder, threshold=-1.0) == [list(range(len(INBOX)))]
    assert group_similar([], encoder) == []


def test_average_linkage_does_not_chain():
    # a~b and b~c are close, a and c are not: single linkage would chain all three.
    a, b, c = np.array([1.0, 0.0]), np.array([0.8, 0.6]), np.array([0.28, 0.96])
    vectors = np.vstack([a, b, c])
    assert cluster_vectors(vectors, threshold=0.75) == [[0, 1], [2]]
    assert cluster_vectors(vectors, threshold=0.5) == [[0, 1, 2]]


def test_ties_go_to_the_lowest_indices():
    same = np.tile(np.array([[1.0, 0.0]]), (4, 1))
    assert cluster_vectors(same, threshold=0.99) == [[0, 1, 2, 3]]


def test_the_same_question_in_turkish_and_azerbaijani_is_grouped(encoder):
    texts = [*INBOX, "son başvuru tarihi ne zaman", "müraciət üçün son tarix nə vaxtdır"]
    groups = [set(g) for g in group_similar(texts, encoder)]
    assert {9, 10} in groups  # the application deadline, asked in two languages
    assert {0, 2, 5} in groups and {6, 7} in groups  # and the English topics still apart
