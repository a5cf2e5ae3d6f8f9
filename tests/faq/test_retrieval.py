"""FaqIndex over the fixture FAQ: paraphrases find their entry, unrelated questions find none."""

from __future__ import annotations

import pytest

from bot.faq.retrieval import (
    DEFAULT_THRESHOLD,
    FaqDoc,
    FaqIndex,
    Match,
    combine,
    load_faq_file,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("do u have dorms for foreign students", 1),
        ("how much does it cost to study here per year", 2),
        ("need invitation letter for the embassy to get my visa", 4),
        ("wat ielts score do u need", 6),
        ("someone to pick me up at the airport?", 7),
        ("Steps to apply for Erasmus+ KA1 mobility", 9),
        ("my passport got stolen yesterday", 19),
        ("I'm ill, is there a doctor at the university?", 26),
    ],
)
def test_paraphrases_find_their_entry(fixture_index, text, expected):
    match = fixture_index.best(text)
    assert match is not None, text
    assert match.entry_id == expected
    assert 0.0 <= match.semantic <= 1.0 and 0.0 <= match.lexical <= 1.0
    assert DEFAULT_THRESHOLD <= match.score <= 1.0
    assert match.key in [
        fixture_index.doc(expected).question,
        *fixture_index.doc(expected).phrasings,
    ]


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "thank you so much",
        "tell me a joke",
        "who won the champions league",
        "what time is it",
    ],
)
def test_unrelated_questions_get_no_answer(fixture_index, text):
    assert fixture_index.best(text) is None


def test_search_returns_k_matches_best_first(fixture_index):
    matches = fixture_index.search("how do i pay the tuition fee", k=3)
    assert len(matches) == 3
    assert all(isinstance(m, Match) for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert {m.entry_id for m in matches} >= {15}
    assert fixture_index.search("   ") == [] and fixture_index.search("x", k=0) == []


def test_names_the_embedding_does_not_know_match_through_keywords(encoder):
    docs = [
        FaqDoc(
            1,
            "Who supports scholarship applications?",
            ["Help with scholarships"],
            "The department supports applicants.",
            ["Chevening", "Fulbright"],
        ),
        FaqDoc(
            2,
            "Is there a double degree?",
            ["Dual master's degree"],
            "With the Polytechnic Institute of Bragança.",
            ["Bragança", "dual degree"],
        ),
        FaqDoc(
            3,
            "How do I apply for the dormitory?",
            ["Is there a dorm?"],
            "Fill in the form.",
            ["accommodation"],
        ),
    ]
    index = FaqIndex.build(docs, encoder)
    for text, expected in [("chevening", 1), ("Braganca", 2), ("fulbright help", 1)]:
        match = index.best(text)
        assert match is not None and match.entry_id == expected, text
        assert match.keyword and match.semantic < DEFAULT_THRESHOLD  # the embedding alone fails
    assert index.best("what time is it") is None


def test_combine_is_the_cosine_without_lexical_evidence_and_stays_in_range():
    assert combine(0.7, 0.0) == pytest.approx(0.7)
    assert combine(0.0, 1.0) < DEFAULT_THRESHOLD  # one coincidental shared word can't answer
    assert combine(0.3, 1.0, keyword=True) >= DEFAULT_THRESHOLD
    assert combine(-0.2, 0.0) == 0.0 and combine(1.0, 1.0, True) == 1.0
    assert combine(0.5, 0.2) < combine(0.5, 0.4) < combine(0.6, 0.4)


def test_duplicate_ids_are_refused(encoder):
    with pytest.raises(ValueError, match="duplicate"):
        FaqIndex.build([FaqDoc(1, "a question"), FaqDoc(1, "another")], encoder)


def test_empty_index_answers_nothing(encoder):
    index = FaqIndex.build([], encoder)
    assert index.search("is there a dorm") == [] and index.best("is there a dorm") is None


def test_keys_are_question_and_distinct_phrasings():
    doc = FaqDoc(7, "Is there a dorm?", ["Is there a dorm?", " Can I live on campus? ", ""])
    assert doc.key_texts() == ["Is there a dorm?", "Can I live on campus?"]


def test_load_faq_file_skips_drafts(tmp_path):
    path = tmp_path / "faq.yml"
    path.write_text(
        "faq:\n"
        "  - {question: Published one, phrasings: [a], answer: x, tags: [t], state: published}\n"
        "  - {question: Draft one, answer: y, state: draft}\n"
        "  - {id: 40, question: Explicit id, answer: z}\n",
        encoding="utf-8",
    )
    assert [(d.entry_id, d.question) for d in load_faq_file(path)] == [
        (1, "Published one"),
        (40, "Explicit id"),
    ]
    assert len(load_faq_file(path, include_drafts=True)) == 3
