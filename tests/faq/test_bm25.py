"""BM25 and its tokeniser: names, acronyms and accents must match as students type them."""

from __future__ import annotations

import pytest

from bot.language.bm25 import BM25, fold, tokenize


def test_acronyms_and_codes_keep_their_digits():
    assert tokenize("Erasmus+ KA2 projects") == ["erasmus", "ka2", "project"]
    assert tokenize("H2020 / Horizon 2020") == ["h2020", "horizon", "2020"]
    assert tokenize("Who coordinates PROMIG?") == ["coordinate", "promig"]


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Braganca", "Bragança"),
        ("Wroclaw", "Wrocław"),
        ("Linkopings", "Linköpings"),
        ("universita", "Università"),
        ("Baki Muhendislik", "Bakı Mühəndislik"),
    ],
)
def test_accents_are_folded(typed, canonical):
    assert tokenize(typed) == tokenize(canonical)


def test_fold_lowercases_and_strips_marks():
    assert fold("Bragança ÉCOLE") == "braganca ecole"


def test_stop_words_and_punctuation_go_plurals_are_stripped():
    assert tokenize("What are the fees for the universities?") == ["fee", "university"]
    assert tokenize("How do I apply for classes, boxes & dorms?!") == [
        "apply",
        "class",
        "box",
        "dorm",
    ]
    # words that only look plural stay whole; apostrophes join
    assert tokenize("status of the campus bus") == ["status", "campus", "bus"]
    assert tokenize("University of L'Aquila") == ["university", "laquila"]


def _index() -> BM25:
    return BM25.build(
        [
            [("Who coordinates the PROMIG project?", 1.0)],
            [("Which Erasmus+ KA2 projects does the university take part in?", 1.0)],
            [("Dual master's degree with the Polytechnic Institute of Bragança", 1.0)],
            [("How do I apply for the dormitory?", 1.0), ("Rooms cost money.", 0.3)],
        ]
    )


def test_rare_names_find_their_document():
    index = _index()
    for query, expected in [("promig", 0), ("ka2", 1), ("Braganca", 2), ("dormitories", 3)]:
        scores = index.scores(query)
        assert max(range(len(scores)), key=scores.__getitem__) == expected, query


def test_normalised_scores_are_a_share_of_the_query():
    index = _index()
    full = index.normalised_scores("promig")
    assert full[0] == pytest.approx(1.0, abs=0.15) and full[1] == 0.0
    # a word no document has ("tuition") halves the evidence rather than being ignored
    partial = index.normalised_scores("promig tuition")
    assert 0.2 < partial[0] < 0.6
    assert all(0.0 <= s <= 1.0 for s in index.normalised_scores("project university room"))
    assert index.normalised_scores("the and of") == [0.0, 0.0, 0.0, 0.0]


def test_lower_field_weight_counts_less():
    heavy = BM25.build([[("rooms", 1.0)], [("dorm", 1.0)]])
    light = BM25.build([[("rooms", 0.3)], [("dorm", 1.0)]])
    assert 0 < light.scores("room")[0] < heavy.scores("room")[0]


def test_unseen_terms_get_the_highest_idf():
    index = _index()
    assert index.idf("neverseen") > index.idf("promig") > index.idf("project")


def test_empty_index():
    assert BM25.build([]).scores("anything") == []
