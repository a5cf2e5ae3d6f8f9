"""Intent classifier: a cascade of two logistic regressions.

- The fast model reads character n-grams (robust to typos: "erasmsu partnr countrys") and word
  n-grams of the (typo-normalised) text. It costs well under a millisecond.
- The full model adds all-MiniLM-L6-v2 sentence embeddings, which recognise paraphrases that share
  no words with any training example. The embedding costs ~12 ms.

A message whose fast prediction is confident (>= `cascade_threshold`) is answered by the fast
model; only the others pay for the embedding. `make bench` and the held-out NLU test measure both
sides of that trade. Training is deterministic (fixed random_seed, deterministic solver).

Inference does TF-IDF and the dot product by hand (vocabulary look-ups and a small gather), the
same arithmetic as scikit-learn's `transform` + `predict_proba` without their per-call overhead.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Any, Dict, List, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
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
        self.model = model  # {"char", "word": TfidfVectorizer, "fast", "full": LogisticRegression}
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
        full = self.model["full"].coef_
        self._full = (full[:, :offset], full[:, offset:], self.model["full"].intercept_)

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
        dense = get_encoder().encode(texts) * self.config["dense_weight"]

        def fit(features: Any) -> Any:
            return LogisticRegression(
                C=self.config["C"], max_iter=5000, random_state=self.config["random_seed"]
            ).fit(features, labels)

        self.model = {
            **vectorizers,
            "fast": fit(sparse),
            "full": fit(hstack([sparse, csr_matrix(dense)]).tocsr()),
        }
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

    def probabilities(self, text: str) -> Tuple[np.ndarray, str]:
        """Class probabilities, and which model gave them ("fast" or "full")."""
        index, values = self._sparse(text)
        coef, intercept = self._fast
        fast = self._softmax(coef[:, index] @ values + intercept)
        if fast.max() >= self.config["cascade_threshold"]:
            return fast, "fast"
        sparse_coef, dense_coef, intercept = self._full
        embedding = get_encoder().encode([text])[0] * self.config["dense_weight"]
        scores = sparse_coef[:, index] @ values + dense_coef @ embedding + intercept
        return self._softmax(scores), "full"

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not self.model:  # untrained: let FallbackClassifier answer honestly
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            ranking = self.ranking(text_for_features(message))
            parts = message.get(QUESTION_PARTS) or []
            for part in parts:
                part_ranking = self.ranking(part.get(NORMALIZED_TEXT) or part["text"])
                part[INTENT] = part_ranking[0]
            answerable = [p for p in parts if p[INTENT]["name"] not in CHITCHAT_INTENTS]
            if answerable:
                # Several questions: the dialogue runs the first one's answer action, and every
                # answer action answers all the parts (actions/parts.py).
                ranking = [answerable[0][INTENT]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def ranking(self, text: str) -> List[Dict[str, Any]]:
        probabilities, _ = self.probabilities(text)
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
        get_encoder().encode(["warm-up"])  # trace the embedding now, not on a student's turn
        return cls(config, model_storage, resource, model)
