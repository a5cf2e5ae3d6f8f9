"""Every intent is trained in every language that has training data (data/nlu/<lang>/), and
each of those files says which language it is, so the typo normaliser keeps its vocabulary."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
LANGUAGES = ["az", "ru", "tr"]  # written natively for issue 13
TURKIC = ["az", "tr"]  # typed with and without their special letters
MIN_EXAMPLES = 20
FOLDED = str.maketrans("əışğçöüƏİŞĞÇÖÜ", "eisgcouEISGCOU")


# Reached by buttons (the widget's language switch, 👍/👎 on an answer), not by typed questions.
BUTTON_ONLY = {"set_language", "feedback"}


def intents() -> list:
    declared = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]
    return [i for i in declared if i not in BUTTON_ONLY]


def blocks(language: str) -> list:
    found = []
    for path in sorted((ROOT / "data" / "nlu" / language).glob("*.yml")):
        found += yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    return found


def examples(block: dict) -> list:
    return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_native_examples(language):
    counts = {b["intent"]: len(examples(b)) for b in blocks(language)}
    thin = {i: counts.get(i, 0) for i in intents() if counts.get(i, 0) < MIN_EXAMPLES}
    assert not thin, f"{language}: intents with fewer than {MIN_EXAMPLES} examples: {thin}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_block_declares_its_language(language):
    undeclared = [
        b["intent"]
        for b in blocks(language)
        if (b.get("metadata") or {}).get("language") != language
    ]
    assert not undeclared


@pytest.mark.parametrize("language", TURKIC)
def test_examples_are_written_both_with_and_without_special_letters(language):
    texts = [t for b in blocks(language) for t in examples(b)]
    special = [t for t in texts if t != t.translate(FOLDED)]
    # Students type both ways: roughly 40% of examples carry no special letter at all.
    assert 0.3 <= 1 - len(special) / len(texts) <= 0.6
