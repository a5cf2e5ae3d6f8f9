"""The premise check on its labelled set (tests/understanding/premise_cases.yml, committed before
the code was tuned): each message gets the expected outcome and an answer holding the expected
fact, every sentence of it traceable to the facts it cites; plain questions get None."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.answers import knowledge
from bot.answers.base import office_contact_hint
from bot.kb.index import fold
from bot.kb.load import load_countries
from bot.kb.schema import PartnerClaim, Project
from bot.understanding.premise import PremiseCheck, check_premise
from tests.test_no_hardcoded_facts import kb_figures, kb_names

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _load(name: str) -> list:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["cases"]


CASES = _load("premise_cases.yml")
HOLDOUT = _load("premise_holdout.yml") + _load("premise_holdout2.yml")
OUTCOMES = ("confirmed", "corrected", "not_stated", "none")


def _outcome(result: PremiseCheck | None) -> str:
    return result.outcome if result else "none"


def _body(result: PremiseCheck) -> str:
    """The answer without its source line (which names the page, not a fact)."""
    return result.answer.text.split("\n\n_Source:")[0]


def _stated(result: PremiseCheck, message: str) -> str:
    """Everything the answer may say: the cited facts (quotes, texts, fields), the names their
    references resolve to, what the student wrote, and the standard who-to-ask hint."""
    index = knowledge()
    kb = index.kb
    parts = [message, office_contact_hint(), kb.university.name, *kb.university.aliases]
    for fact in result.facts:
        parts.append(fact.json(ensure_ascii=False))
        if isinstance(fact, PartnerClaim):
            owner = next(p for p in kb.exchange_programmes if fact in p.partner_claims)
            parts.append(owner.name)
        if isinstance(fact, Project):
            for org_id in (fact.coordinator, fact.funder, *fact.involved):
                if org_id:
                    parts.append(index.organisations[org_id].name)
        if getattr(fact, "partner", None) in index.organisations:
            parts.append(index.organisations[fact.partner].name)
    text = " ".join(parts)
    codes = set(re.findall(r"\b[A-Z]{2}\b", text))
    for org in index.organisations.values():
        if org.name in text or org.id in text:
            codes.add(org.country)
    parts += [index.country_name(code) for code in codes if code in index.countries]
    said = f" {fold(message)} "
    for label, country in index.country_names.items():  # a country the student named
        if f" {label} " in said:
            parts.append(country.name)
    return " ".join(parts)


def _untraced(result: PremiseCheck, message: str) -> list:
    """Numbers and names in the answer that none of its facts state (the house check of
    tests/faq/test_seeds.py: a capitalised word that doesn't start a sentence is a name)."""
    stated = _stated(result, message)
    stated_words = set(fold(stated).split())
    stated_numbers = set(re.findall(r"\d+", stated))
    # counts of the cited facts themselves ("the page gives 2 different figures")
    kinds = Counter(type(fact) for fact in result.facts)
    stated_numbers |= {str(n) for n in range(1, max(kinds.values(), default=0) + 1)}
    problems = []
    for line in re.split(r"(?<=[.!?:])\s+|\n+", _body(result).replace("**", "")):
        problems += [n for n in re.findall(r"\d+", line) if n not in stated_numbers]
        words = re.findall(r"[\w'+-]+", line.lstrip("- "))
        names = {w.removesuffix("'s") for w in words[1:] if w[0].isupper()} - {"I", "I'm"}
        problems += [name for name in names if fold(name) not in stated_words]
    return problems


@pytest.mark.parametrize("case", CASES + HOLDOUT, ids=[c["text"][:60] for c in CASES + HOLDOUT])
def test_labelled_case(case):
    result = check_premise(case["text"])
    assert _outcome(result) == case["outcome"], (
        f"{case['text']!r}: expected {case['outcome']}, got {_outcome(result)}"
        + (f"\n{result.answer.text}" if result else "")
    )
    if result is None:
        return
    text = result.answer.text
    assert re.search(case["expect"], text, re.I), f"{case['expect']!r} not in:\n{text}"
    first_line = _body(result).splitlines()[0]
    assert len(first_line.split()) >= 5, f"a bare yes or no: {first_line!r}"
    if result.outcome != "confirmed":
        assert not re.match(r"\W*(yes|yeah|right|correct|true)\b", text, re.I), text
    assert "_Source:" in text and result.facts, "an answer cites the facts it rests on"
    assert result.answer.known == (result.outcome != "not_stated")  # not stated: for staff
    assert result.answer.topic == "premise"
    assert _untraced(result, case["text"]) == [], text


@pytest.mark.parametrize(
    "name", ["premise_cases.yml", "premise_holdout.yml", "premise_holdout2.yml"]
)
def test_figures_per_outcome(name, capsys):
    """Each set's figures per outcome (printed for the report): every case right."""
    cases = _load(name)
    expected = Counter(c["outcome"] for c in cases)
    right: Counter = Counter()
    for case in cases:
        got = _outcome(check_premise(case["text"]))
        right[case["outcome"]] += got == case["outcome"]
    with capsys.disabled():
        print(f"\n{name}: " + ", ".join(f"{o} {right[o]}/{expected[o]}" for o in OUTCOMES))
    if name == "premise_cases.yml":
        assert expected["none"] >= 25 and sum(expected.values()) >= 70
    assert all(right[o] == expected[o] for o in OUTCOMES)


def test_rasa_entities_find_what_the_text_alone_misses():
    text = "the Nizamy project was coordinated by Heidelberg, right?"
    assert check_premise(text) is None  # "Nizamy" is too far from "NIZAMI" to guess
    entity = {"entity": "project", "value": "NIZAMI", "start": 4, "end": 10}
    result = check_premise(text, [entity])
    assert result is not None and result.outcome == "corrected"
    assert "Montpellier" in result.answer.text


def test_a_typo_of_a_university_is_still_read():
    result = check_premise("MAGNUS is coordinated by Linkopng, isn't it?")
    assert result is not None and result.outcome == "confirmed", result


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?!?!...",
        "<script>alert(1)</script>, right?",
        "NIZAMI was coordinated by Heidelberg, right? " * 60,
        "is it true? " * 30 + "x" * 1500,
        "\n".join(f"{i}. partners in Poland, right?" for i in range(20)),
    ],
    ids=["empty", "blank", "punctuation", "markup", "long", "30 questions", "20-item list"],
)
def test_bad_input_gets_a_bounded_result(text):
    started = time.perf_counter()
    result = check_premise(text)
    assert time.perf_counter() - started < 1.0
    if result is not None:
        assert result.outcome in {"confirmed", "corrected", "not_stated"}
        assert len(result.answer.text) < 3000


def test_unknown_name_is_echoed_as_plain_text():
    result = check_premise("You partner with [Evil](javascript:alert(1)) University, right?")
    assert result is None or "javascript:" not in result.answer.text


@pytest.mark.parametrize(
    "module", [f"bot/understanding/{name}.py" for name in ("claims", "mentions", "mood", "premise")]
)
def test_no_knowledge_base_fact_is_written_into_the_code(module):
    text = (ROOT / module).read_text(encoding="utf-8")
    text = re.sub(r'""".*?"""', "", text, flags=re.S)
    text = "\n".join(line.split("#")[0] for line in text.splitlines())
    numbers = {n for n in set(re.findall(r"\b\d+\b", text)) & kb_figures() if int(n) >= 10}
    names = {n for n in kb_names() if n in text}
    assert not numbers and not names, f"{module} states {sorted(numbers | names)}"


def test_a_university_the_nlu_recognised_is_used():
    text = "MAGNUS is coordinated by LiU, isn't it?"
    alone = check_premise(text)  # an abbreviation the knowledge base doesn't list
    assert alone is not None and alone.outcome == "corrected" and "**LiU**" in alone.answer.text
    entity = {"entity": "university", "value": "Linköping University", "start": 25, "end": 28}
    result = check_premise(text, [entity])
    assert result is not None and result.outcome == "confirmed", result


@pytest.mark.parametrize(
    "text",
    [
        "Hello, I am from Moldova. Which subjects are taught in English, do you have Moldovan "
        "students, and what is the fee per year?",
        "1) who leads NIZAMI? 2) any partners in Croatia? 3) can I bring my family?",
        "oops, I mean Slovakia",
        "I study at a university in Germany and we have an Erasmus agreement with many schools. "
        "Does BEU take Erasmus students?",
        "As a Chinese student, what can I study in English?",
        "We are 3 students from Egypt who want to apply.",
        "I was in Italy in 2019 for a summer school. Do you have partners there?",
        "In 2018 BEU became eligible for CRENG and MAGNUS, what are they about?",
        "I heard about a dual master's with a portuguese polytechnic, how does it work",
        "partner uni in greece",
    ],
)
def test_messages_that_claim_nothing_about_the_university_are_not_premises(text):
    assert check_premise(text) is None


def test_plain_questions_of_the_nlu_test_set_are_left_alone(capsys):
    """The held-out NLU set (347 plain questions of every intent): a premise check that fired
    on them would hijack their normal answers."""
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "test_nlu.yml").read_text(encoding="utf-8"))
    texts = [
        re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.strip()[2:])
        for block in data["nlu"]
        for line in (block.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    ]
    started = time.perf_counter()
    fired = [t for t in texts if check_premise(t) is not None]
    per_message = (time.perf_counter() - started) / len(texts) * 1000
    with capsys.disabled():
        print(f"\nNLU test set: {len(fired)} of {len(texts)} premises, {per_message:.2f} ms each")
    assert len(texts) > 300 and len(fired) <= len(texts) // 100, fired


def test_a_changed_fact_changes_the_verdict(monkeypatch):
    """Nothing is hard-coded or cached past a reload: with PROMIG's coordinator changed in the
    knowledge base, the same message is confirmed instead of corrected."""
    from bot.answers import base, exchange, projects
    from bot.answers import premise as premise_answers
    from bot.kb.index import KnowledgeIndex
    from bot.understanding import claims, mentions

    text = "PROMIG is coordinated by the University of Graz, right?"
    assert check_premise(text).outcome == "corrected"
    real = knowledge()
    changed = [
        p.copy(update={"coordinator": "graz", "involved": []}) if p.id == "promig" else p
        for p in real.kb.projects
    ]
    index = KnowledgeIndex(
        real.kb.copy(update={"projects": changed}),
        load_countries(),
    )
    for module in (base, exchange, projects, premise_answers, claims, mentions):
        monkeypatch.setattr(module, "knowledge", lambda: index)
    result = check_premise(text)
    assert result is not None and result.outcome == "confirmed", result.answer.text
    assert "University of Graz (Austria)" in result.answer.text


@pytest.mark.parametrize(
    ("text", "outcomes", "said"),
    [
        (
            "NIZAMI was coordinated by Heidelberg and finished in 2019, right?",
            ("corrected", "corrected"),
            ["Montpellier", "2015 to 2018"],
        ),
        (
            "So MAGNUS is led by Linköping and runs until 2021, and you have 95 international "
            "students, right?",
            ("confirmed", "confirmed", "confirmed"),
            ["Linköping", "2018 to 2021", "95"],
        ),
        (
            "You have students from Italy and partners in Spain, right?",
            ("corrected", "corrected"),
            [r"\*\*Italy\*\* is not among", r"no partner university or project in \*\*Spain"],
        ),
    ],
)
def test_every_claim_of_a_message_is_checked(text, outcomes, said):
    result = check_premise(text)
    assert result is not None and result.outcomes == outcomes, result
    assert result.outcome == max(outcomes, key=("confirmed", "not_stated", "corrected").index)
    for pattern in said:
        assert re.search(pattern, result.answer.text), pattern
    assert result.answer.text.count("_Source:") == 1
    assert _untraced(result, text) == []


def test_one_reading_per_thing_in_a_sentence():
    """ "10 partner universities in Germany" is one count claim, not also a partner claim."""
    result = check_premise("You have 10 partner universities in Germany, right?")
    assert result is not None and len(result.claims) == 1


@pytest.mark.parametrize(
    ("text", "outcome", "start"),
    [
        ("You don't have partners in Japan, right?", "confirmed", "That's right: "),
        ("You don't have partners in Poland, right?", "corrected", "Actually: "),
        ("NIZAMI isn't coordinated by Heidelberg, is it?", "confirmed", "That's right: "),
        ("NIZAMI is not coordinated by Montpellier, right?", "corrected", "Actually: "),
        ("There are no Italian students at BEU, right?", "confirmed", "That's right: "),
        ("I'm not sure, but NIZAMI was coordinated by Heidelberg, right?", "corrected", "No: "),
    ],
)
def test_a_negative_claim_is_answered_as_one(text, outcome, start):
    """ "You don't have partners in Japan, right?" is right; a "No:" there would read as
    disagreement."""
    result = check_premise(text)
    assert result is not None and result.outcome == outcome, result
    assert result.answer.text.startswith(start), result.answer.text


def test_a_country_named_as_coordinator_is_a_country_claim():
    result = check_premise("PAWER is coordinated by Italy, isn't it?")
    assert result is not None and result.outcome == "confirmed", result.answer.text


def test_numbers_in_words_are_counted():
    result = check_premise("The Mevlana exchange is with ten Turkish universities, right?")
    assert result is not None and result.outcome == "corrected"
    assert result.answer.text.startswith("No: ")
