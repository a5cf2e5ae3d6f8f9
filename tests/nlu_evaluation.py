"""Intent F1 of a trained model on several NLU test files, loading the model once.

`rasa test nlu` loads the model for every file (~45 s each here); the per-language bar measures
four files, so it would cost minutes. This parses every example through the same trained
pipeline (Agent.parse_message) and computes the same figure as `rasa test nlu` (scikit-learn's
weighted F1 over the gold and predicted intents). It also counts how often the intent cascade's
second stage ran and the parse time per message, for tuning (tests/nlu/dev_*.yml).

    PYTHONPATH=$PWD .venv/bin/python -m tests.nlu_evaluation tests/nlu/dev_ru.yml ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Set

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "beu.tar.gz"


def _count_stages() -> Dict[str, int]:
    """Wrap the cascade so each call records which stage answered ("fast" or "full": 2)."""
    from bot.rasa_server.nlu.linear_classifier import LinearIntentClassifier

    counts: Dict[str, int] = {"fast": 0, "full": 0}
    original = LinearIntentClassifier.probabilities

    def probabilities(self: Any, text: str, language: str | None = None) -> Any:
        result = original(self, text, language)
        stage = "fast" if result[1] == "fast" else "full"  # "full": MiniLM, "full_e5": e5
        counts[stage] += 1
        return result

    LinearIntentClassifier.probabilities = probabilities  # type: ignore[method-assign]
    return counts


def comparable(text: str) -> str:
    """A message as far as duplicates go: case, punctuation and spacing don't count."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def training_texts(folder: Path) -> Set[str]:
    """Every training example under `folder` (e.g. data/nlu/ru), comparable()."""
    from rasa.shared.nlu.training_data.loading import load_data

    if not folder.is_dir():
        return set()
    return {comparable(m.get("text")) for m in load_data(str(folder)).intent_examples}


def intent_scores(agent: Any, file: Path, trained_on: Set[str] = frozenset()) -> Dict[str, Any]:
    """Weighted intent F1 of `agent` on one NLU file, the misclassified examples, the report.

    Examples whose text is in `trained_on` (training examples, comparable()) are left out
    and counted: a held-out set scores what the model has not been trained on."""
    from rasa.nlu.classifiers import fallback_classifier
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import classification_report, f1_score

    async def parse(text: str) -> Dict[str, Any]:
        result = await agent.parse_message(text)
        if fallback_classifier.is_fallback_classifier_prediction(result):
            # as `rasa test nlu` does: score the classifier's intent, not the fallback over it
            result = fallback_classifier.undo_fallback_prediction(result)
        return result

    async def parse_all(texts: List[str]) -> List[Dict[str, Any]]:
        return [await parse(text) for text in texts]

    everything = load_data(str(file)).intent_examples
    examples = [m for m in everything if comparable(m.get("text")) not in trained_on]
    texts = [m.get("text") for m in examples]
    gold = [m.get("intent") for m in examples]
    start = time.perf_counter()
    parsed = asyncio.run(parse_all(texts))
    elapsed = time.perf_counter() - start
    predicted = [(p.get("intent") or {}).get("name") or "None" for p in parsed]
    return {
        "examples": len(texts),
        "left_out_as_trained_on": len(everything) - len(examples),
        "weighted_f1": float(f1_score(gold, predicted, average="weighted", zero_division=0)),
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(texts),
        "ms_per_message": 1000 * elapsed / len(texts),
        "errors": [
            {"text": t, "gold": g, "predicted": p}
            for t, g, p in zip(texts, gold, predicted, strict=True)
            if g != p
        ],
        "report": classification_report(gold, predicted, output_dict=True, zero_division=0),
    }


def evaluate(files: Sequence[Path], model: Path = MODEL) -> Dict[str, Dict[str, Any]]:
    """Per file: intent_scores, plus the share of messages that reached the cascade's stage 2."""
    from rasa.core.agent import Agent

    counts = _count_stages()
    agent = Agent.load(str(model))
    results: Dict[str, Dict[str, Any]] = {}
    for file in files:
        before = dict(counts)
        language = file.stem.rsplit("_", 1)[-1]  # tests/nlu/dev_ru.yml, test_nlu_ru.yml
        trained = training_texts(ROOT / "data" / "nlu" / language)
        results[str(file)] = intent_scores(agent, file, trained)
        calls = {k: counts[k] - before.get(k, 0) for k in counts}
        results[str(file)]["stage2_rate"] = calls["full"] / max(1, sum(calls.values()))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--json", type=Path, help="write the full results here")
    parser.add_argument("--errors", action="store_true", help="print misclassified examples")
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.ERROR)
    configure_structlog(logging.ERROR)
    results = evaluate(args.files, args.model)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    for file, result in results.items():
        print(
            f"{file}: weighted F1 {result['weighted_f1']:.3f}, accuracy {result['accuracy']:.3f}, "
            f"stage 2 on {result['stage2_rate']:.0%}, {result['ms_per_message']:.1f} ms/message "
            f"({result['examples']} examples, {result['left_out_as_trained_on']} left out)"
        )
        if args.errors:
            for error in result["errors"]:
                print(f"   {error['gold']:<28} -> {error['predicted']:<28} {error['text']}")


if __name__ == "__main__":
    main()
