"""The script that judges a reply's language (tests/e2e/languages.py) is itself right: it accepts
a reply in its language with canonical names, English country names in brackets and the
source link, and rejects a reply in another language or with an untranslated sentence."""

from __future__ import annotations

import pytest

from tests.e2e.languages import language_problems, prose

RU = (
    "Да, у BEU есть партнёры в **Италии (Italy)**:\n"
    "- **Erasmus+ KA1**: указана как страна-партнёр\n"
    "- **PAWER (Erasmus+ KA2)**: координатор — Università degli Studi dell'Aquila\n\n"
    "На странице сами университеты-партнёры не названы.\n\n"
    "_Источник: [BEU International Relations page](https://beu.edu.az/), данные на 2019 год._"
)
TR = (
    "BEU'da **17 ülkeden** **95 uluslararası öğrenci** okuyor: Rusya (Russia), Çin (China), "
    "Gürcistan (Georgia) ve Ukrayna (Ukraine).\n\n"
    "_Kaynak: [BEU International Relations page](https://beu.edu.az/), 2019 itibarıyla._"
)
AZ = (
    "**PROMIG** (Promoting Migration Studies in Higher Education) layihəsini "
    "**Tbilisi State University (Gürcüstan)** koordinasiya edir.\n\n"
    "_Mənbə: [BEU International Relations page](https://beu.edu.az/), 2019-cu ilin məlumatı._"
)
EN = (
    "**PAWER** (Paving the way to interregional mobility and ensuring relevance, quality and "
    "equity of access) runs from **2016 to 2019**.\n\n"
    "_Source: [BEU International Relations page](https://beu.edu.az/), as of 2019._"
)


@pytest.mark.parametrize(("reply", "language"), [(RU, "ru"), (TR, "tr"), (AZ, "az"), (EN, "en")])
def test_a_reply_in_its_language_passes(reply, language):
    assert language_problems(reply, language) == []


@pytest.mark.parametrize(("reply", "language"), [(RU, "en"), (TR, "ru"), (AZ, "ru"), (EN, "tr")])
def test_a_reply_in_another_language_fails(reply, language):
    assert language_problems(reply, language) != []


def test_one_untranslated_sentence_fails_a_reply():
    half = RU.replace(
        "На странице сами университеты-партнёры не названы.",
        "The page doesn't name the exchange partner universities themselves.",
    )
    (problem,) = language_problems(half, "ru")
    assert "exchange partner universities" in problem


def test_names_links_brackets_and_numbers_are_not_prose():
    text = prose(AZ)
    for gone in ("PROMIG", "Tbilisi State University", "Promoting", "beu.edu.az", "2019", "**"):
        assert gone not in text
    assert "koordinasiya edir" in text
