"""Issue 13 end to end, over REST: the same 12 questions in English, Azerbaijani, Russian and
Turkish get the same facts, each in the question's language (checked by script); a conversation
that switches language is followed; an unsupported language gets the list of the four languages
the assistant speaks, never an English fallback alone."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from tests.e2e.languages import language_problems, prose
from tests.e2e.scoring import flatten, fold, judge

QUESTIONS = yaml.safe_load((Path(__file__).parent / "multilingual.yml").read_text("utf-8"))[
    "questions"
]
LANGUAGES = ("en", "az", "ru", "tr")
pytestmark = pytest.mark.e2e

# The four languages as a reply may name them: in English, in each other, natively.
LANGUAGE_NAMES = {
    "en": r"english|ingilis|английск|ingilizce",
    "az": r"azerbaijani|az[əe]rbaycan|azeri|азербайджанск",
    "ru": r"russian|\brus dili|rusca|русск",
    "tr": r"turkish|turkce|turk dili|турецк",
}
ENDONYMS = r"az[əe]rbaycan|русск|turkce"  # a reply naming these is not in English alone
FALLBACK = r"i'?m afraid i can'?t help|i can'?t help with that"


def ask(servers, sender: str, text: str) -> List[Dict]:
    from tests.servers import ask as post

    return post(servers.webhook, sender, text)


def language_text(messages: List[Dict]) -> str:
    """What the student reads: the texts and the buttons' titles (not custom JSON)."""
    parts = [m["text"] for m in messages if m.get("text")]
    parts += [str(b.get("title", "")) for m in messages for b in m.get("buttons") or []]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def replies(servers) -> Dict[Tuple[str, str], List[Dict]]:
    """Each question asked once per language, each in a fresh conversation."""
    return {
        (q["id"], language): ask(servers, f"lang-{uuid.uuid4().hex[:12]}", q["ask"][language])
        for q in QUESTIONS
        for language in LANGUAGES
    }


CASES = [(q, language) for q in QUESTIONS for language in LANGUAGES]
IDS = [f"{q['id']}-{language}" for q, language in CASES]


@pytest.mark.parametrize(("question", "language"), CASES, ids=IDS)
def test_the_same_facts_in_every_language(replies, question, language):
    reply = flatten(replies[(question["id"], language)])
    assert judge(question, reply) == [], reply


@pytest.mark.parametrize(("question", "language"), CASES, ids=IDS)
def test_the_reply_is_in_the_questions_language(replies, question, language):
    reply = language_text(replies[(question["id"], language)])
    assert language_problems(reply, language) == [], reply


SWITCHES = {
    # en -> ru -> tr, then a bare name keeps the conversation's (Turkish) language
    "en-ru-tr": [
        ("en", "Who coordinates PROMIG?", r"tbilisi"),
        ("ru", "А в какие годы проходил проект PAWER?", r"2016"),
        ("tr", "Peki BEU'da kaç yabancı öğrenci okuyor?", r"\b95\b"),
        ("tr", "Erasmus?", r"erasmus"),
    ],
    # Azerbaijani typed without its letters reads like Turkish: the conversation decides
    "az-ascii": [
        ("az", "Salam! BEU-da neçə əcnəbi tələbə oxuyur?", r"\b95\b"),
        ("az", "erasmus uzre terefdas olkeler hansilardir", r"erasmus"),
    ],
}


@pytest.mark.parametrize("turns", SWITCHES.values(), ids=SWITCHES.keys())
def test_a_conversation_that_switches_language_is_followed(servers, turns):
    sender = f"switch-{uuid.uuid4().hex[:12]}"
    for language, text, fact in turns:
        messages = ask(servers, sender, text)
        reply = language_text(messages)
        assert re.search(fact, fold(flatten(messages))), f"{text!r} -> {reply!r}"
        problems = language_problems(reply, language)
        assert problems == [], f"{text!r} should be answered in {language}: {reply!r}"


UNSUPPORTED = {
    "persian": "سلام، آیا در دانشگاه شما رشته‌هایی به زبان انگلیسی تدریس می‌شود؟",
    "chinese": "你好，请问贵校有用英语授课的专业吗？",
}


@pytest.mark.parametrize("text", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_an_unsupported_language_gets_the_four_languages_not_an_english_fallback(servers, text):
    from bot.language.detect import detect

    reply = language_text(ask(servers, f"other-{uuid.uuid4().hex[:12]}", text))
    folded = fold(reply)
    missing = [code for code, names in LANGUAGE_NAMES.items() if not re.search(names, folded)]
    assert missing == [], f"the reply doesn't name {missing}: {reply!r}"
    assert not re.search(FALLBACK, folded), f"an English fallback: {reply!r}"
    lines = [line for line in prose(reply).splitlines() if line.strip()]
    not_only_english = re.search(ENDONYMS, folded) or any(
        detect(line).code not in (None, "en") for line in lines
    )
    assert not_only_english, f"the reply is in English alone: {reply!r}"
