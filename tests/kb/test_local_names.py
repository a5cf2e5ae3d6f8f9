"""Country names in az/ru/tr come from CLDR, their case forms from rules (not lists), and the
knowledge build that compiles them is deterministic."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import babel
import pytest

from bot import paths
from bot.kb.load import load_countries
from bot.kb.local_names import LOCAL_LANGUAGES, country_name, local_forms, variants
from bot.language.russian import adjective_forms, declensions
from bot.language.turkic import case_forms


def test_every_country_has_its_cldr_name_in_each_language():
    for country in load_countries().countries:
        for language in LOCAL_LANGUAGES:
            assert (
                country_name(country.code, language)
                == babel.Locale(language).territories[country.code]
            )
    assert country_name("PL", "ru") == "Польша" and country_name("ZZZ", "ru") is None


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("Польша", {"Польши", "Польше", "Польшу", "Польшей"}),
        ("Иран", {"Ирана", "Иране", "Ираном", "Ирану"}),
        ("Германия", {"Германии", "Германию", "Германией"}),
        ("Казахстан", {"Казахстане", "Казахстана"}),
        ("Китай", {"Китая", "Китае"}),
        ("Беларусь", {"Беларуси"}),
        ("Нидерланды", {"Нидерландах", "Нидерландов"}),
        ("Саудовская Аравия", {"Саудовской Аравии", "Саудовскую Аравию"}),
        ("Босния и Герцеговина", {"Боснии и Герцеговине"}),
        ("Республика Корея", {"Республике Корея"}),  # the apposition keeps its case
        ("Перу", {"Перу"}),  # indeclinable
    ],
)
def test_russian_declension(name, forms):
    assert forms <= set(declensions(name))


def test_russian_adjectives_decline():
    assert {"польских", "польском", "польская"} <= set(adjective_forms("польский"))
    assert {"русском", "русские"} <= set(adjective_forms("русский"))


@pytest.mark.parametrize(
    ("name", "language", "suffixes"),
    [
        ("Polonya", "tr", {"da", "dan", "ya", "daki", "lı", "lıyım"}),
        ("Irak", "tr", {"ta", "tan", "a", "taki"}),  # a voiceless consonant: d -> t
        ("Türkiye", "tr", {"de", "den", "ye", "deki", "denim"}),
        ("Polşa", "az", {"da", "dan", "ya", "dakı", "lı", "lıyam"}),
        ("İran", "az", {"da", "dan", "a", "lıyam", "danam"}),
        ("Türkiyə", "az", {"də", "dən", "yə", "dəki"}),
        ("Qazaxıstan", "az", {"da", "dan", "a", "dır"}),
        ("Amerika Birleşik Devletleri", "tr", {"nde", "nden", "ne"}),  # the compound's n
    ],
)
def test_turkic_suffixes_follow_vowel_harmony(name, language, suffixes):
    assert suffixes <= {suffix for _, suffix, _ in case_forms(name, language)}


def test_forms_are_typed_with_and_without_special_letters():
    assert variants("Polşada") == ["polşada", "polsada"]
    assert "iranda" in variants("İranda") and "turkiyeden" in variants("Türkiyədən")
    assert "ırak'ta" in variants("Irak'ta")
    assert variants("Соединённых") == ["соединённых", "соединенных"]


def test_local_forms_are_many_and_from_rules():
    forms = local_forms(load_countries())
    texts = {form.text for form in forms}
    assert {"Polonya'da", "Polşa-da", "Polşadan", "İrandan", "Türkiyə'yə", "Польше"} <= texts
    assert {"из России"} - texts == {"из России"}  # the preposition is a cue, not a form
    assert len(forms) > 20_000


DIGEST = (
    "import hashlib, json\n"
    "from bot.kb.load import load_countries, load_kb\n"
    "from bot.offline.generate import local_name_table, rasa_entity_data, ruler_patterns\n"
    "from bot.offline.vocabulary import build_vocabulary\n"
    "v = build_vocabulary(load_kb(), load_countries())\n"
    "data = [rasa_entity_data(v), ruler_patterns(v), local_name_table(v)]\n"
    "print(hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest())\n"
)


@pytest.mark.soak  # test_make_kb_twice_writes_the_same_files checks the same, on the files
def test_the_generated_names_are_the_same_whatever_the_hash_seed():
    """Sets must not leak their order into the build: a process with another hash seed generates
    the same Rasa data, ruler patterns and local-name table as this one, byte for byte."""
    namespace: dict = {}
    exec(DIGEST.replace("print(", "digest = ("), namespace)
    result = subprocess.run(
        [sys.executable, "-c", DIGEST],
        cwd=paths.ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(paths.ROOT), "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == namespace["digest"]


@pytest.mark.heavy
def test_make_kb_twice_writes_the_same_files():
    """`python -m bot kb` run twice (different hash seeds) leaves identical artefacts."""

    def build(seed: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "kb"],
            cwd=paths.ROOT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(paths.ROOT), "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        files = [
            paths.LOCAL_NAMES,
            paths.GENERATED_DATA / "entities.yml",
            paths.SPACY_PIPELINE / "entity_ruler" / "patterns.jsonl",
        ]
        return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}

    assert build("1") == build("2")
    table = json.loads(paths.LOCAL_NAMES.read_text("utf-8"))
    assert table["polonya'da"] == ["country", "Poland", "locative"]


def test_the_knowledge_index_resolves_local_names():
    from bot.kb.index import KnowledgeIndex
    from bot.kb.load import load_kb

    countries = load_countries()
    index = KnowledgeIndex(load_kb(countries=countries), countries)
    for name in ("Польша", "Polonya", "Polşa", "polsa", "Almaniya", "Германия"):
        assert index.country(name) is not None, name
    assert index.country("Polşa").code == "PL" and index.country("Германия").code == "DE"
