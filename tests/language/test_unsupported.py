"""The reply to a language the assistant doesn't speak: a line in the student's own language
(when there is a catalogue for it) and the four languages it speaks, each in its own words.
Which language each line is in is checked by the detector, not by eye."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from bot.answers.languages import IN_YOUR_LANGUAGE, in_own_language, unsupported_language
from bot.i18n import SUPPORTED_LANGUAGES
from bot.i18n.catalogues import LOCALE_SOURCES, catalogue
from bot.language.detect import detect
from bot.offline.locales import compile_all

WITH_A_LINE = ["fa", "ar", "tk", "uz", "kk", "uk", "zh", "de", "fr", "es", "ka", "tg", "ur"]


@pytest.fixture(scope="module", autouse=True)
def compiled():
    compile_all()
    catalogue.cache_clear()
    yield
    catalogue.cache_clear()


@pytest.mark.parametrize("code", WITH_A_LINE)
def test_the_reply_starts_in_the_students_language_then_lists_the_four(code):
    reply = unsupported_language(code)
    lines = reply.text.split("\n\n")
    assert len(lines) == 1 + len(SUPPORTED_LANGUAGES)
    assert lines[0] != IN_YOUR_LANGUAGE and detect(lines[0]).code == code
    assert [detect(line).code for line in lines[1:]] == list(SUPPORTED_LANGUAGES)
    assert reply.topic == "language" and not reply.buttons


def test_a_language_without_a_catalogue_still_gets_all_four_languages_never_english_alone():
    reply = unsupported_language("sw")
    lines = reply.text.split("\n\n")
    assert [detect(line).code for line in lines] == list(SUPPORTED_LANGUAGES)
    assert in_own_language("sw") is None
    assert in_own_language("") is None


def test_supported_languages_have_no_apology_line():
    assert all(in_own_language(code) is None for code in SUPPORTED_LANGUAGES)


def test_every_unsupported_language_catalogue_translates_the_line():
    folders = {p.parent.parent.name for p in LOCALE_SOURCES.glob("*/LC_MESSAGES/*.po")}
    assert set(WITH_A_LINE) <= folders
    for code in WITH_A_LINE:
        path = LOCALE_SOURCES / code / "LC_MESSAGES" / "bot.answers.languages.po"
        with path.open("rb") as handle:
            message = read_po(handle, locale=code).get(IN_YOUR_LANGUAGE)
        assert message is not None and message.string and not message.fuzzy, code
