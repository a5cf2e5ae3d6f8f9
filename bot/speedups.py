"""Remove per-message work that Rasa 3.6 repeats for nothing (found by profiling the server
under load with py-spy; `make bench` reports the effect).

- RemoteAction._validate_action_result calls `jsonschema.validate(result, schema)` for every
  action-server response. That helper first checks the schema itself against the JSON Schema
  metaschema, and the events schema is large: 69% of the server's CPU. The validator is compiled
  once and reused: every response is still validated against the same schema.
- Event.resolve_by_type walks the whole Event class tree for every event it deserialises, and
  the tracker store deserialises the whole conversation on every message. The type-name lookup
  is cached after the first walk.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, at start-up, instead of once per message
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information visit {DOCS_BASE_URL}"
            "/custom-actions"
        )
        raise


_EVENT_TYPES: Dict[str, type] = {}
_resolve_by_type_uncached = Event.resolve_by_type


def _resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    cls = _EVENT_TYPES.get(type_name)
    if cls is None:
        cls = _resolve_by_type_uncached(type_name, default)
        if cls is not None and cls.type_name == type_name:
            _EVENT_TYPES[type_name] = cls
    return cls


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign]
    _action_result_validator()
