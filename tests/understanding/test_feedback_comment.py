"""The message after "what was wrong?": the student's comment, or a new question (answered)."""

from __future__ import annotations

import pytest

from bot.understanding.feedback_comment import is_new_question

COUNTRY = [{"entity": "country", "value": "Poland"}]


@pytest.mark.parametrize(
    "text",
    [
        "The number of students is outdated",
        "It's wrong, the project ended in 2022",
        "You didn't answer my question",
        "not what I asked",
        "Is this even correct? It looks wrong to me",
        "Эта информация устарела",
        "Неверно, координатор другой",
        "Bilgi yanlış",
        "Bu güncel değil",
        "Məlumat səhvdir",
        "I wanted the fees for the master's programme",
        "too long and confusing",
    ],
)
def test_comments(text):
    assert not is_new_question(text, "nlu_fallback", 0.4)


@pytest.mark.parametrize(
    "text",
    [
        "Who coordinates PROMIG?",
        "what about Latvia",
        "Tell me about Mevlana",
        "Is there a dual degree",
        "Сколько иностранных студентов",
        "Есть ли стипендии",
        "Hangi ülkelerle anlaşma var",
        "Erasmus var mı",
        "Hansı layihələr var",
        "/ask_erasmus",
        "",
    ],
)
def test_new_questions(text):
    assert is_new_question(text, "ask_erasmus", 0.95)


def test_a_short_confident_question_naming_a_subject_is_a_new_question():
    assert is_new_question("Erasmus partners in Poland", "ask_partners", 0.93, COUNTRY)
    # the same words the model is unsure of, or naming nothing, are taken as the comment
    assert not is_new_question("Erasmus partners in Poland", "ask_partners", 0.5, COUNTRY)
    assert not is_new_question("partners list incomplete", "ask_partners", 0.93, [])


def test_several_questions_are_new_questions():
    parts = [{"text": "a"}, {"text": "b"}]
    assert is_new_question("Mevlana. And Erasmus", "ask_mevlana", 0.5, [], parts)
