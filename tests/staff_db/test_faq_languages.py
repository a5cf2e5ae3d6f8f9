"""FAQ entries in other languages: stored, validated field by field, kept in history and in the
YAML export, found by a question in that language and answered in it; on both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.faq.retrieval import FaqIndex
from bot.faq.service import _version_keys, entry_answer
from bot.i18n import speaking, untranslated_note
from bot.language.e5 import get_e5_encoder
from bot.staff_db.faq import FaqRepository
from bot.staff_db.faq_yaml import export_yaml, read_yaml
from bot.staff_db.inbox import Inbox
from bot.staff_db.validation import ValidationError
from tests.staff_db.helpers import draft

RU = {
    "question": "Есть ли трансфер из аэропорта?",
    "phrasings": ["встретят ли меня в аэропорту"],
    "answer": "Да, по запросу международный отдел встречает студентов в аэропорту.",
}


@pytest.fixture()
def repo(engine, known_facts):
    return FaqRepository(engine, known_fact_ids=known_facts)


def shuttle(**changes):
    base = draft(
        question="Is there an airport pick-up?",
        answer="Yes, the international office meets students at the airport on request.",
    )
    return dataclasses.replace(base, **changes)


def test_a_version_is_stored_trimmed_and_an_empty_section_is_dropped(repo):
    versions = {"ru": {**RU, "answer": f"  {RU['answer']}  "}, "tr": {"question": "", "answer": ""}}
    entry = repo.create(shuttle(translations=versions), who="ana")
    stored = repo.get(entry.id)
    assert stored.translations == {"ru": RU}
    assert stored.version_in("ru") == RU and stored.version_in("az") is None


@pytest.mark.parametrize(
    ("versions", "field", "words"),
    [
        ({"fr": RU}, "translations.fr", "unknown language"),
        ({"ru": {**RU, "answer": ""}}, "translations.ru.answer", "empty"),
        ({"ru": {**RU, "question": ""}}, "translations.ru.question", "empty"),
        ({"ru": {**RU, "answer": "x" * 1001}}, "translations.ru.answer", "limit is 1000"),
        ({"ru": {**RU, "answer": "[bad](javascript:alert(1))"}}, "translations.ru.answer", "link"),
        ({"ru": {**RU, "extra": "?"}}, "translations.ru", "unknown field"),
        ({"ru": "just text"}, "translations.ru", "a version has"),
    ],
)
def test_a_bad_version_is_refused_with_the_field_named(repo, versions, field, words):
    with pytest.raises(ValidationError) as refused:
        repo.create(shuttle(translations=versions), who="ana")
    assert field in refused.value.errors, refused.value.errors
    assert words in refused.value.errors[field]
    assert repo.list_entries() == []


def test_history_and_rollback_keep_the_versions(repo):
    entry = repo.create(shuttle(translations={"ru": RU}), who="ana")
    changed = repo.update(entry.id, shuttle(translations={}), entry.version, who="bo")
    assert changed.translations == {}
    restored = repo.rollback(entry.id, entry.version, who="ana", expected_version=changed.version)
    assert restored.translations == {"ru": RU}
    assert [r.entry().translations for r in repo.history(entry.id)][-1] == {"ru": RU}


def test_yaml_export_and_import_round_trip_the_versions(repo, tmp_path):
    repo.create(shuttle(translations={"ru": RU}), who="ana")
    path = tmp_path / "faq.yml"
    export_yaml(repo, path)
    assert "Есть ли трансфер" in path.read_text(encoding="utf-8")  # readable, not escaped
    drafts = read_yaml(path, dt.date(2026, 1, 1), known_fact_ids=lambda: [])
    assert drafts[0].translations == {"ru": RU}


def test_an_inbox_question_keeps_its_language(engine):
    inbox = Inbox(engine)
    inbox.record_unanswered("Есть ли общежитие?", "rest", None, None, "s1", language="ru")
    inbox.record_unanswered("dorms?", "rest", None, None, "s2")
    by_text = {q.text: q.language for q in inbox.list_open_unanswered()}
    assert by_text == {"Есть ли общежитие?": "ru", "dorms?": None}


def test_a_question_in_russian_finds_the_entry_and_gets_the_russian_answer(repo):
    entry = repo.publish(repo.create(shuttle(translations={"ru": RU}), who="ana").id, who="ana")
    from bot.faq.retrieval import FaqDoc

    docs = [FaqDoc(entry.id, entry.question, [*entry.phrasings, *_version_keys(entry)],
                   entry.answer)]  # fmt: skip
    index = FaqIndex.build(docs, get_e5_encoder())
    match = index.best("а трансфер из аэропорта есть?")
    assert match is not None and match.entry_id == entry.id
    with speaking("ru"):
        reply = entry_answer(entry)
        assert reply.text.startswith(RU["answer"])
        assert "Источник" in reply.text and untranslated_note() is None
    with speaking("tr"):  # no Turkish version: the English answer, and the reply says so once
        reply = entry_answer(entry)
        assert reply.text.startswith(entry.answer)
        assert "İngilizce" in (untranslated_note() or "")
    with speaking("en"):
        assert entry_answer(entry).text.startswith(entry.answer)


def test_the_live_faq_knows_each_version_keys_language(engine, repo):
    """A Russian question matching the Russian version is held to the same-language threshold,
    one matching only the English wording to the cross-language one (bot/faq/retrieval.py)."""
    from bot.faq.retrieval import CROSS_LANGUAGE_THRESHOLD, DEFAULT_THRESHOLD, Match
    from bot.faq.service import StaffFaq

    entry = repo.publish(repo.create(shuttle(translations={"ru": RU}), who="ana").id, who="ana")
    faq = StaffFaq(engine)
    faq.load_now()
    (doc,) = faq.index.index.docs
    assert doc.key_languages == {RU["question"]: "ru", RU["phrasings"][0]: "ru"}
    russian_key = Match(entry.id, 0.5, 0.5, 0.0, RU["question"])
    english_key = Match(entry.id, 0.5, 0.5, 0.0, entry.question)
    assert faq.index.index.threshold_for(russian_key, "ru") == DEFAULT_THRESHOLD
    assert faq.index.index.threshold_for(english_key, "ru") == CROSS_LANGUAGE_THRESHOLD
    with speaking("ru"):
        reply = faq.answer_for("а трансфер из аэропорта есть?")
    assert reply is not None and reply.text.startswith(RU["answer"])
