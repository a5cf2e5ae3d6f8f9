"""Cross-validated intent F1 per language on the training data itself (data/nlu/**).

The official held-out sets (tests/nlu/) are written independently and must not be tuned on;
this is the quick check a data writer runs: does the classifier separate the intents in each
language? It repeats the pipeline's steps that matter for intents, trained on each fold:
the typo normaliser (bot/rasa_server/nlu/spelling.py, per-language vocabularies) and the
n-gram model of the cascade (bot/rasa_server/nlu/linear_classifier.py), optionally with the
sentence embedding for unsure messages (`--cascade`, slower). A held-out message is corrected
towards its own language's vocabulary, as if the language detector had got it right
(`--language-unknown`: as if it had found none).

    PYTHONPATH=$PWD .venv/bin/python -m bot.offline.crossval [--folds 5] [--confusions] [--no-fold]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from typing import Any, Dict, List, Sequence

import numpy as np

from bot.rasa_server.nlu.spelling import Speller, example_language, vocabularies


def load_examples(data: str = "data/nlu") -> List[tuple]:
    """(text, intent, language) for every intent example under `data`."""
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.loading import load_data

    return [
        (m.get(TEXT), m.get(INTENT), example_language(m)) for m in load_data(data).intent_examples
    ]


def fold_predictions(
    train: Sequence[tuple],
    test: Sequence[tuple],
    fold_accents: bool,
    cascade: float | None,
    language_known: bool = True,
) -> List[str]:
    """Intents predicted for `test` by the normaliser + classifier trained on `train`."""
    from rasa.shared.nlu.constants import METADATA, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    messages = [
        Message(data={TEXT: t, METADATA: {"intent": {"language": lang}}}) for t, _, lang in train
    ]
    speller = Speller(vocabularies(messages, fold_accents))

    def normalised(rows: Sequence[tuple], known: bool) -> List[str]:
        return [
            speller.normalise(t, (lang,) if known else (), fold=fold_accents) for t, _, lang in rows
        ]

    train_texts, test_texts = normalised(train, True), normalised(test, language_known)
    labels = [intent for _, intent, _ in train]
    vectorizers = [
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    ]
    x_train = hstack([v.fit_transform(train_texts) for v in vectorizers]).tocsr()
    x_test = hstack([v.transform(test_texts) for v in vectorizers]).tocsr()
    fast = LogisticRegression(C=10.0, max_iter=5000, random_state=42).fit(x_train, labels)
    probabilities = fast.predict_proba(x_test)
    predicted = fast.classes_[probabilities.argmax(axis=1)]
    if cascade is None:
        return list(predicted)
    from bot.language.encoder import get_encoder

    encoder = get_encoder()
    full = LogisticRegression(C=10.0, max_iter=5000, random_state=42).fit(
        hstack([x_train, csr_matrix(encoder.encode(train_texts))]).tocsr(), labels
    )
    unsure = np.flatnonzero(probabilities.max(axis=1) < cascade)
    if len(unsure):
        dense = csr_matrix(encoder.encode([test_texts[i] for i in unsure]))
        predicted[unsure] = full.predict(hstack([x_test[unsure], dense]).tocsr())
    return list(predicted)


def crossvalidate(
    examples: Sequence[tuple],
    folds: int,
    fold_accents: bool,
    cascade: float | None,
    language_known: bool = True,
) -> Dict[str, Dict[str, Any]]:
    """language -> {"n", "weighted_f1", "accuracy", "confusions"}, over stratified folds."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{intent}/{lang}" for _, intent, lang in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
    truth, guess, langs = [], [], []
    for train_index, test_index in splitter.split(examples, strata):
        train = [examples[i] for i in train_index]
        test = [examples[i] for i in test_index]
        guess += fold_predictions(train, test, fold_accents, cascade, language_known)
        truth += [intent for _, intent, _ in test]
        langs += [lang for _, _, lang in test]
    by_language: Dict[str, List[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        by_language[lang].append(i)
    return {
        lang: {
            "confusions": Counter(
                f"{truth[i]} -> {guess[i]}" for i in rows if truth[i] != guess[i]
            ).most_common(8),
            "n": len(rows),
            "weighted_f1": f1_score(
                [truth[i] for i in rows], [guess[i] for i in rows], average="weighted"
            ),
            "accuracy": float(np.mean([truth[i] == guess[i] for i in rows])),
        }
        for lang, rows in sorted(by_language.items())
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/nlu")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--no-fold", action="store_true", help="keep special letters (the normaliser folds them)"
    )
    parser.add_argument("--confusions", action="store_true", help="most frequent errors")
    parser.add_argument("--cascade", type=float, default=None, help="e.g. 0.7: embed if unsure")
    parser.add_argument(
        "--language-unknown", action="store_true", help="held-out messages as if undetected"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scores = crossvalidate(
        load_examples(args.data),
        args.folds,
        not args.no_fold,
        args.cascade,
        not args.language_unknown,
    )
    for lang, score in scores.items():
        print(
            f"{lang}: n={score['n']:4d}  weighted F1 {score['weighted_f1']:.3f}"
            f"  accuracy {score['accuracy']:.3f}"
        )
        if args.confusions:
            for pair, count in score["confusions"]:
                print(f"    {count:3d}  {pair}")
    print(f"({args.folds} folds, {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
