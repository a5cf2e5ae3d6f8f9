"""Intent classifier: logistic regression over character n-grams, word n-grams and sentence
embeddings.

Character n-grams make it robust to typos ("erasmsu partnr countrys"), word n-grams to word
order, and MiniLM embeddings to paraphrase. On the held-out set it matches or beats DIET while
predicting in well under a millisecond after the embedding, and it trains in seconds,
deterministically (fixed random_seed, deterministic solver).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

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

from bot.nlu.spelling import text_for_features

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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "C": 10.0,
            "char_ngrams": [2, 5],
            "word_ngrams": [1, 2],
            "dense_weight": 1.0,
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
        self.model = model  # {"char": vectorizer, "word": vectorizer, "clf": LogisticRegression}

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
        return ["sklearn", "skops"]

    def _matrix(self, messages: List[Message], fit: bool = False):
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [text_for_features(m) for m in messages]
        if fit:
            self.model = {
                "char": TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=tuple(self.config["char_ngrams"]),
                    sublinear_tf=True,
                ),
                "word": TfidfVectorizer(
                    ngram_range=tuple(self.config["word_ngrams"]), sublinear_tf=True
                ),
            }
        blocks = []
        for name in ("char", "word"):
            vectorizer = self.model[name]
            blocks.append(vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts))
        dense = [self._dense(m) for m in messages]
        if all(d is not None for d in dense):
            blocks.append(csr_matrix(np.vstack(dense) * self.config["dense_weight"]))
        return hstack(blocks).tocsr()

    @staticmethod
    def _dense(message: Message) -> np.ndarray | None:
        _, sentence = message.get_dense_features(TEXT)
        return None if sentence is None else np.asarray(sentence.features).reshape(-1)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = training_data.intent_examples
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) < 2:
            raise ValueError("LinearIntentClassifier needs at least 2 intents to train")
        features = self._matrix(examples, fit=True)
        clf = LogisticRegression(
            C=self.config["C"], max_iter=5000, random_state=self.config["random_seed"]
        )
        clf.fit(features, labels)
        self.model["clf"] = clf
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if not messages:
            return messages
        if not self.model or "clf" not in self.model:
            for message in messages:  # untrained: let FallbackClassifier answer honestly
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
            return messages
        probabilities = self.model["clf"].predict_proba(self._matrix(messages))
        classes = self.model["clf"].classes_
        for message, row in zip(messages, probabilities, strict=True):
            order = np.argsort(row)[::-1][:LABEL_RANKING_LENGTH]
            ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

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
        return cls(config, model_storage, resource, model)
