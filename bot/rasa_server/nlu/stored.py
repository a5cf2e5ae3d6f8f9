"""Create/persist/load boilerplate of the custom NLU components, written once.

- `ConfigComponent`: nothing trained; built from its config alone, so loading a trained model
  is creating it again (Rasa's default `load` calls `create`).
- `JsonStateComponent`: trainable, whose state is one JSON file in the model.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from typing import Any, Dict

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

STATE_FILE = "state.json"


class ConfigComponent(GraphComponent):
    """A component built from its config (its defaults merged with config.yml's) alone."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConfigComponent:
        return cls({**cls.get_default_config(), **config})


class JsonStateComponent(GraphComponent):
    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: Dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self.restore(state or {})

    @abstractmethod
    def restore(self, state: Dict[str, Any]) -> None:
        """Set the component up from its (possibly empty: untrained) saved state."""

    @abstractmethod
    def state(self) -> Dict[str, Any]:
        """What to save after training."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> JsonStateComponent:
        return cls(config, model_storage, resource)

    def persist(self) -> Resource:
        with self._storage.write_to(self._resource) as directory:
            text = json.dumps(self.state(), sort_keys=True, ensure_ascii=False)
            (directory / STATE_FILE).write_text(text, encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> JsonStateComponent:
        try:
            with model_storage.read_from(resource) as directory:
                state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            state = {}
        return cls(config, model_storage, resource, state)
