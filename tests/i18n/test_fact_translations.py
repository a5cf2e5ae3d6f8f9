"""Facts' free text in translation (knowledge/translations/): a translation whose English fact
has changed is stale, is not served (the English is, with the one-line note) and is listed for
staff; a translation file that breaks its schema names its file and field and fails the build."""

from __future__ import annotations

import argparse

import pytest
import yaml

from bot import paths
from bot.answers import base, projects
from bot.i18n import fact_text, speaking, untranslated_note
from bot.kb import translations
from bot.kb.index import KnowledgeIndex
from bot.kb.load import load_countries, load_kb
from bot.kb.translations import (
    TranslationError,
    current_translations,
    free_text,
    load_translations,
    review_list,
    translation_report,
)

LANGUAGES = ("az", "ru", "tr")
AIM = "projects[0].aims[0].text"


@pytest.fixture
def fresh_translations():
    current_translations.cache_clear()
    yield
    current_translations.cache_clear()


@pytest.fixture(scope="module")
def edited_copy(tmp_path_factory):
    """A temporary copy of the knowledge base whose first project aim has new English (loaded
    once: validating a knowledge base against its source takes seconds)."""
    english = dict(free_text(base.knowledge().kb))[AIM]
    changed = english.replace("migration studies", "the study of migration")
    assert changed != english
    text = paths.KB_FILE.read_text(encoding="utf-8")
    assert text.count(english) == 1
    copy = tmp_path_factory.mktemp("kb") / "kb.yml"
    copy.write_text(text.replace(english, changed), encoding="utf-8")
    return KnowledgeIndex(load_kb(copy), load_countries()), english, changed


@pytest.fixture
def edited_knowledge(edited_copy, monkeypatch, fresh_translations):
    """The edited copy, served in place of the real knowledge base."""
    index, english, changed = edited_copy
    monkeypatch.setattr(base, "knowledge", lambda: index)
    monkeypatch.setattr(projects, "knowledge", lambda: index)
    return index.kb, english, changed


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_free_text_field_has_a_current_translation(language):
    kb = base.knowledge().kb
    found = review_list(kb, language)
    assert found["stale"] == [] and found["missing"] == []
    assert found["numbers_differ"] == []
    assert len(found["unreviewed"]) == len(list(free_text(kb)))  # none confirmed yet


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_edited_fact_makes_its_translation_stale_and_listed(edited_knowledge, language):
    edited, _english, _changed = edited_knowledge
    found = review_list(edited, language)
    assert found["stale"] == [AIM]
    assert found["missing"] == [AIM]  # its new English has no translation
    assert AIM not in found["unreviewed"]
    report = "\n".join(translation_report(edited, [language]))
    assert "1 stale" in report and f"stale: {AIM}" in report and f"missing: {AIM}" in report


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stale_translation_is_not_served(edited_knowledge, language):
    """The student gets the new English, once noted, never the translation of the old text."""
    _edited, english, changed = edited_knowledge
    old = next(t for t in load_translations(language).translations if t.field == AIM)
    assert old.english == english  # the file still translates the old English
    with speaking(language):
        assert fact_text(changed) == changed
        reply = projects.project("PROMIG", "aims")
        note = untranslated_note()
    assert changed in reply.text and old.text not in reply.text
    assert note and "English" not in note  # the note itself is in the student's language
    served = current_translations(language)
    assert english not in served and changed not in served


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_other_facts_stay_translated_when_one_is_stale(edited_knowledge, language):
    with speaking(language):
        reply = projects.project("NIZAMI", "aims")
        note = untranslated_note()
    assert note is None
    nizami_aim = dict(free_text(edited_knowledge[0]))["projects[2].aims[0].text"]
    assert nizami_aim not in reply.text


def write(folder, language, data):
    path = folder / f"{language}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def entry(**changes):
    good = {"field": AIM, "english": "x", "text": "y", "reviewed": False}
    return {**good, **changes}


@pytest.mark.parametrize(
    ("translations_list", "expected"),
    [
        ([entry(text="")], [f"translations[0] ({AIM}).text"]),
        ([entry(reviewd=True)], [f"translations[0] ({AIM}).reviewd", "extra fields"]),
        ([entry(reviewed=True)], ["reviewed_by", "names its reviewer"]),
        ([entry(), entry()], [f"translations[1] ({AIM})", "already translated"]),
    ],
)
def test_a_broken_translation_file_names_the_file_and_field(tmp_path, translations_list, expected):
    path = write(tmp_path, "ru", {"language": "ru", "translations": translations_list})
    with pytest.raises(TranslationError) as raised:
        load_translations("ru", tmp_path)
    message = str(raised.value)
    assert str(path) in message
    for part in expected:
        assert part in message


def test_a_translation_file_for_another_language_is_refused(tmp_path):
    write(tmp_path, "tr", {"language": "az", "translations": [entry()]})
    with pytest.raises(TranslationError, match="says 'az'"):
        load_translations("tr", tmp_path)


def test_python_m_bot_kb_fails_on_a_broken_translation_file(tmp_path, monkeypatch, capsys):
    from bot.offline.kb_build import build
    from bot.runtime import without_tensorflow

    monkeypatch.setattr(translations, "TRANSLATIONS", tmp_path)
    write(tmp_path, "az", {"language": "az", "translations": [entry(text="")]})
    with without_tensorflow():
        assert build(argparse.Namespace(allow_uncited=False)) == 1
    error = capsys.readouterr().err
    assert "az.yml" in error and f"({AIM}).text" in error


def test_the_skeleton_lists_what_is_missing_and_cannot_be_pasted_untranslated(
    edited_knowledge, tmp_path
):
    from bot.kb.translations import skeleton

    edited, _english, changed = edited_knowledge
    entries = yaml.safe_load(skeleton(edited, "ru"))
    assert entries == [{"field": AIM, "english": changed, "text": "", "reviewed": False}]
    write(tmp_path, "ru", {"language": "ru", "translations": entries})
    with pytest.raises(TranslationError, match=r"\.text"):
        load_translations("ru", tmp_path)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_skeleton_is_empty_when_everything_is_translated(language):
    from bot.kb.translations import skeleton

    assert skeleton(base.knowledge().kb, language) == ""
