"""The core answers (office, students, programmes, handoff, the honest "not covered" and
"not understood" replies, multi-question notes, domain.yml's responses) in az, ru and tr: the
same facts as the English, and no English left in their frames (checked by script: English
function words, and the language's own letters)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Callable, Dict, List

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.parts import combine
from actions.reply import send
from bot.answers import handoff, office, programmes, students
from bot.answers.base import Answer, knowledge, lookup_unavailable, merge
from bot.i18n import _, fact_text, speaking
from bot.i18n.catalogues import COMPILED, catalogue
from bot.i18n.counting import count_phrase
from bot.kb.translations import free_text
from bot.offline import locales
from bot.paths import ROOT
from bot.understanding.details import unanswered_detail

LANGUAGES = ("az", "ru", "tr")
MY_DOMAINS = {
    "actions.exchange",
    "actions.office",
    "actions.parts",
    "bot.answers.base",
    "bot.answers.handoff",
    "bot.answers.office",
    "bot.answers.programmes",
    "bot.answers.students",
    "bot.understanding.details",
    "domain",
}
# Words a frame left in English would show; none is a word of Azerbaijani, Russian or Turkish.
ENGLISH_WORDS = {
    "the", "and", "of", "is", "are", "to", "from", "with", "for", "in", "page",
    "doesn't", "don't", "can't", "i", "i'm", "i've", "you", "your", "please", "contact", "it",
    "that", "this", "there", "not", "about", "have", "will", "which", "who", "yes", "no",
    "sorry", "students", "student", "department", "programmes", "source", "as", "staff", "or",
}  # fmt: skip

ANSWERS: Dict[str, Callable[[], Answer]] = {
    "office": office.office,
    "admissions": office.admissions,
    "contact": office.contact,
    "not covered (a subject)": lambda: office.not_covered(unanswered_detail("visa?")),
    "not covered": office.not_covered,
    "source": office.source_info,
    "not understood": office.not_understood,
    "not understood (a part)": lambda: office.not_understood("Wie viel kostet das?"),
    "out of scope": office.out_of_scope,
    "students": students.international_students,
    "students from a listed country": lambda: students.international_students("Russia"),
    "students from another country": lambda: students.international_students("France"),
    "how many from a country": lambda: students.international_students("Iran", how_many=True),
    "an unknown country": lambda: students.international_students("Narnia"),
    "scholarships": students.scholarships,
    "a listed scholarship": lambda: students.scholarships("Fulbright"),
    "another scholarship": lambda: students.scholarships("DAAD"),
    "programmes in English": programmes.english_programmes,
    "a department in English": lambda: programmes.english_programmes("Finance"),
    "popular departments": programmes.popular_departments,
    "dual degree": programmes.dual_degree,
    "dual degree, another field": lambda: programmes.dual_degree("Computer Engineering"),
    "handed off (web)": lambda: handoff.handed_off("socketio"),
    "handed off (Messenger, queued)": lambda: handoff.handed_off("messenger", queued=True),
    "handoff impossible": handoff.handoff_impossible,
    "contact added": handoff.contact_added,
    "contact queued": lambda: handoff.contact_added(queued=True),
    "unavailable": lookup_unavailable,
}


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """The .mo files the replies are read from, fresh (`make kb` builds them too)."""
    sources = list(locales.LOCALE_SOURCES.glob("*/LC_MESSAGES/*.po"))
    newest = max(p.stat().st_mtime for p in sources)
    built = list(COMPILED.glob("*/LC_MESSAGES/*.mo"))
    if len(built) < len(sources) or min(p.stat().st_mtime for p in built) < newest:
        locales.compile_all()
    catalogue.cache_clear()


def canonical_names() -> List[str]:
    """Names that stay as the knowledge base gives them, in every language."""
    index = knowledge()
    kb = index.kb
    names = [o.name for o in kb.organisations] + [kb.university.name, kb.document.title]
    names += [kb.office.department.name, kb.office.vice_rectorate.name]
    names += [s.name for s in kb.scholarship_support.programmes]
    names += [c.name for c in index.countries.values()]
    return sorted(set(names), key=len, reverse=True)  # longest first: no half-removed name


def english_facts() -> List[str]:
    """The knowledge base's English free text: shown as it is until staff translate it (with a
    note), so not a frame left in English."""
    texts = {text for _, text in free_text(knowledge().kb)}
    return sorted(texts, key=len, reverse=True)


def frame_words(text: str, asked: str = "") -> List[str]:
    """The words of a reply that are not names, facts, links or what the student typed."""
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = text.replace(asked, " ") if asked else text
    for name in sorted({*english_facts(), *canonical_names()}, key=len, reverse=True):
        text = text.replace(name, " ")
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)


def figures_and_names(text: str) -> set:
    return set(re.findall(r"\d+", text)) | {name for name in canonical_names() if name in text}


def rendered(language: str, build: Callable[[], Answer]) -> Answer:
    with speaking(language):
        return build()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(ANSWERS))
def test_same_facts_as_english_and_no_english_frame(language, name):
    english, translated = rendered("en", ANSWERS[name]), rendered(language, ANSWERS[name])
    assert translated.text != english.text
    missing = figures_and_names(english.text) - figures_and_names(translated.text)
    # a name the English gives in its frame is kept (numbers too), only its words are the
    # language's own; a country the English names is still there, in brackets
    assert not missing, f"{name} in {language} lost {sorted(missing)}:\n{translated.text}"
    asked = "Wie viel kostet das?"
    left = [w for w in frame_words(translated.text, asked) if w.lower() in ENGLISH_WORDS]
    assert not left, f"{name} in {language} has English frame words {left}:\n{translated.text}"
    assert [b.payload for b in translated.buttons] == [b.payload for b in english.buttons]
    for button in translated.buttons:
        english_title = next(b.title for b in english.buttons if b.payload == button.payload)
        assert button.title != english_title, f"button {english_title!r} not translated"


@pytest.mark.parametrize("language", LANGUAGES)
def test_replies_are_in_the_languages_own_letters(language):
    """Russian frames in Cyrillic; Azerbaijani with ə, Turkish without it (the two are told
    apart by their letters as well as by their words)."""
    text = " ".join(
        w for build in ANSWERS.values() for w in frame_words(rendered(language, build).text)
    )
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)
    if language == "ru":
        assert cyrillic > 0.9
    else:
        assert cyrillic < 0.05
        assert ("ə" in text) == (language == "az")
        assert any(c in text for c in "ışğçöü")


def test_russian_plurals_follow_the_count():
    def note(asked: int) -> str:
        replies = [(SimpleNamespace(text=f"q{i}?"), office.contact()) for i in range(4)]
        with speaking("ru"):
            return combine(replies, asked).text

    assert "Вы задали 5 вопросов" in note(5) and "оставшийся 1 вопрос" in note(5)
    assert "Вы задали 6 вопросов" in note(6) and "оставшиеся 2 вопроса" in note(6)
    assert "оставшиеся 7 вопросов" in note(11)
    assert "Остальные вопросы" in note(5)


def test_the_students_overview_declines_its_numbers():
    """The counts come from the knowledge base; the nouns after them take the case and number
    each language gives them."""
    kb = knowledge().kb.international_students
    with speaking("ru"):
        russian = students.international_students().text
    with speaking("az"):
        azerbaijani = students.international_students().text
    with speaking("tr"):
        turkish = students.international_students().text
    assert f"**{kb.count} иностранн" in russian and f"из **{kb.country_count} стран" in russian
    assert f"**{kb.country_count} ölkədən**" in azerbaijani
    assert f"**{kb.count} beynəlxalq tələbə**" in azerbaijani
    assert f"**{kb.country_count} ülkeden**" in turkish


def test_more_than_takes_the_numbers_suffix_in_azerbaijani_and_turkish():
    expected = {
        "en": ["more than 10 x", "more than 40 x", "more than 95 x"],
        "ru": ["более 10 x", "более 40 x", "более 95 x"],
        "az": ["10-dan çox x", "40-dan çox x", "95-dən çox x"],
        "tr": ["10'dan fazla x", "40'tan fazla x", "95'ten fazla x"],
    }
    for language, phrases in expected.items():
        with speaking(language):
            got = [count_phrase(n, "more_than", "x") for n in (10, 40, 95)]
        assert got == phrases
    with speaking("tr"):
        assert count_phrase(3, "exactly", "x") == "3 x"


def test_the_subject_declined_is_named_in_the_replys_language():
    with speaking("ru"):
        subject = unanswered_detail("Do I need a visa?")
        reply = office.not_covered(subject).text
    assert subject == "визы и виды на жительство"
    assert f"**{subject}**" in reply
    with speaking("en"):
        assert unanswered_detail("Do I need a visa?") == "visas and residence permits"


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_merged_answers_keep_one_source_line_in_every_language(language):
    with speaking(language):
        source = _("_Source: {title}, as of {date}._").split("{", 1)[0]
        merged = merge([office.admissions(), students.scholarships(), office.contact()])
    assert merged.text.count(source) == 1
    assert merged.text.rstrip().endswith("._")


def test_a_reply_with_untranslated_free_text_says_so_once():
    dispatcher = CollectingDispatcher()
    with speaking("tr"):
        untranslated = fact_text("A sentence no translation file has.")
        fact_text("Another one.")
        send(dispatcher, Answer(untranslated))
        send(dispatcher, office.contact())  # a later reply of the same turn: no note again
    first, second = (m["text"] for m in dispatcher.messages)
    note = first.split("\n\n")[-1]
    assert "İngilizce" in note and first.count(note) == 1
    assert note not in second
    english = CollectingDispatcher()
    with speaking("en"):
        send(english, Answer(fact_text("A sentence no translation file has.")))
    assert english.messages[0]["text"] == "A sentence no translation file has."


def test_the_handoff_button_is_offered_in_the_replys_language():
    with speaking("az"):
        button = handoff.handoff_button()
    assert button.payload == "/request_human" and button.title != "Talk to a person"


def domain_responses() -> List[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    texts = []
    for variations in domain["responses"].values():
        for variation in variations:
            texts.append(variation["text"])
            texts += [b["title"] for b in variation.get("buttons") or []]
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_domain_responses_are_translated(language):
    for english in domain_responses():
        translated = catalogue(language).gettext(english)
        assert translated != english, f"{english!r} has no {language} translation"
        left = [w for w in frame_words(translated) if w.lower() in ENGLISH_WORDS]
        assert not left, f"{translated!r} keeps English words {left}"
        for kept in ("Erasmus+", "Mevlana", "Baku Engineering University"):
            assert (kept in english) <= (kept in translated), f"{kept} lost in {translated!r}"


def test_every_frame_of_these_modules_is_translated():
    """`python -m bot locales --check` for this part's domains: every frame in az, ru and tr,
    none fuzzy, the same {placeholders} as the English."""
    mine = [p for p in locales.problems() if p.split("/")[-1].split(".po")[0] in MY_DOMAINS]
    assert mine == []
