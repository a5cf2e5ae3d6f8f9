"""The reply catalogues: every frame the code uses is translated into az, ru and tr with the
same placeholders, and the compiled catalogues are what a reply in that language uses."""

from __future__ import annotations

import pytest

from bot.i18n import _, country_name, join, n_, number, speaking
from bot.i18n.catalogues import catalogue
from bot.offline.locales import _placeholders, compile_all, problems, templates


def test_every_frame_is_translated_with_its_placeholders() -> None:
    found = problems()
    assert not found, f"{len(found)} catalogue problem(s), e.g.:\n" + "\n".join(found[:20])


def test_the_build_compiles_every_catalogue() -> None:
    assert compile_all() >= 3 * len(templates())
    catalogue.cache_clear()


@pytest.mark.parametrize("language", ["az", "ru", "tr"])
def test_a_reply_in_a_language_uses_its_catalogue(language: str) -> None:
    frame = "_(Part of this answer is in English: it has no translation yet.)_"
    with speaking(language):
        translated = _(frame)
    assert translated != frame and translated.startswith("_(")
    with speaking("en"):
        assert _(frame) == frame


def test_unsupported_language_replies_in_english_frames() -> None:
    frame = "_(Part of this answer is in English: it has no translation yet.)_"
    with speaking("xx") as chosen:
        assert chosen == "en" and _(frame) == frame


def test_placeholders_are_filled_and_a_broken_translation_falls_back() -> None:
    assert _("{a} and {b}", a="x", b="y") == "x and y"
    assert _placeholders("Yes, **{country}** is {what:,}.") == {"country", "what"}


def test_russian_plural_forms_come_from_the_catalogue_header() -> None:
    with speaking("ru"):
        forms = [catalogue("ru").plural(n) for n in (1, 2, 5, 21)]
    assert forms == [0, 1, 2, 0]
    with speaking("en"):
        assert n_("{n} partner", "{n} partners", 2, n=2) == "2 partners"


def test_lists_numbers_and_country_names_follow_the_locale() -> None:
    with speaking("ru"):
        assert join(["A", "B", "C"], "or") == "A, B или C"
        assert country_name("PL", "Poland") == "Польша (Poland)"
        assert number(1500) == "1\xa0500"
    with speaking("tr"):
        assert join(["A", "B"]) == "A ve B"
        assert country_name("PL", "Poland") == "Polonya (Poland)"
    with speaking("az"):
        assert join(["A", "B"]) == "A və B"
    with speaking("en"):
        assert join(["A", "B", "C"]) == "A, B and C"
        assert country_name("PL", "Poland") == "Poland"
