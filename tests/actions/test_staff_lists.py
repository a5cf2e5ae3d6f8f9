"""Lists the page lacks (exchange partner universities, English-taught specialties) are data:
once staff record them in knowledge/kb.yml, answers use them instead of saying they're missing."""

import pytest

from bot.answers import base, exchange, programmes
from bot.kb.index import KnowledgeIndex
from bot.kb.load import load_countries, load_kb


@pytest.fixture()
def staff_filled(monkeypatch):
    kb = load_kb()
    erasmus = kb.exchange_programmes[0].copy(update={"universities": ["braganca", "heidelberg"]})
    taught = kb.programmes.english_taught.copy(update={"specialties": ["Computer Engineering"]})
    kb = kb.copy(
        update={
            "exchange_programmes": [erasmus, *kb.exchange_programmes[1:]],
            "programmes": kb.programmes.copy(update={"english_taught": taught}),
        }
    )
    index = KnowledgeIndex(kb, load_countries())
    for module in (base, exchange, programmes):
        monkeypatch.setattr(module, "knowledge", lambda: index)


def test_without_staff_lists_the_answer_says_the_page_has_none():
    assert "doesn't name the exchange partner universities" in exchange.erasmus().text
    assert "doesn't list which specialties" in programmes.english_programmes().text


def test_recorded_partner_universities_are_listed(staff_filled):
    text = exchange.erasmus().text
    assert (
        "Partner universities: Polytechnic Institute of Bragança (Portugal) and Heidelberg" in text
    )
    assert (
        "Partner universities: Heidelberg University (Germany)."
        in exchange.partners_in("Germany").text
    )


def test_recorded_specialties_give_a_definite_answer(staff_filled):
    assert (
        "**Computer Engineering** is among"
        in programmes.english_programmes("Computer Engineering").text
    )
    assert "**Finance** is not among" in programmes.english_programmes("Finance").text
