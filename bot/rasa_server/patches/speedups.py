"""Remove per-message work that Rasa 3.6 repeats for nothing (found by profiling the server
under load with py-spy; `make bench` reports the effect).

- RemoteAction._validate_action_result calls `jsonschema.validate(result, schema)` for every
  action-server response. That helper first checks the schema itself against the JSON Schema
  metaschema, and the events schema is large: 69% of the server's CPU. The validator is compiled
  once and reused: every response is still validated against the same schema.
- Event.resolve_by_type walks the whole Event class tree for every event it deserialises, and
  the tracker store deserialises the whole conversation on every message. The type-name lookup
  is cached after the first walk.
- Every message runs the model's graph twice or more (NLU, then each policy prediction) through
  dask's scheduler, which rebuilds the minimal sub-graph and a dask task graph each time: about
  a third of the time of those runs. Serving runs the same nodes, in dependency order, with the
  same inputs and errors, from an execution order computed once per set of targets. Training
  keeps dask.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Dict

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL


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


def validated_once(original: Any) -> Any:
    """RemoteAction._validate_action_result with the validator compiled once, at start-up."""
    _action_result_validator()
    return _validate_action_result


def cached_resolve_by_type(original: Callable[..., type | None]) -> Callable[..., type | None]:
    """Event.resolve_by_type that remembers each type name it resolved."""
    event_types: Dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = event_types.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls.type_name == type_name:
                event_types[type_name] = cls
        return cls

    return resolve_by_type


class SequentialGraphRunner(DaskGraphRunner):
    """DaskGraphRunner.run without dask: the same nodes of the minimal graph for the targets,
    each called once after the nodes it needs, with dask's conventions (a node gets its parents'
    `(name, output)` pairs, an unresolved need is passed as its name, inputs may not clash with
    node names, a RuntimeError becomes a GraphRunError)."""

    def run(
        self,
        inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        order = self._execution_order(run_targets)
        values: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in order:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of "
                    f"the input names passed to the `run` method are the same as node names "
                    f"in the graph schema."
                )
            values[name] = (name, value)
        nodes = self._graph_schema.nodes
        try:
            for name in order:
                needs = nodes[name].needs.values()
                values[name] = self._instantiated_nodes[name](*(values.get(n, n) for n in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(values[target] for target in run_targets)

    def _execution_order(self, targets: tuple[str, ...]) -> tuple[str, ...]:
        cache: dict[tuple[str, ...], tuple[str, ...]] = self.__dict__.setdefault("_orders", {})
        if targets not in cache:
            nodes = self._graph_schema.nodes
            order: list[str] = []

            def visit(name: str) -> None:
                if name in order or name not in nodes:
                    return  # done already, or an input placeholder
                for need in nodes[name].needs.values():
                    visit(need)
                order.append(name)

            for target in targets:
                visit(target)
            cache[targets] = tuple(order)
        return cache[targets]


def sequential_runner(original: type[DaskGraphRunner]) -> type[DaskGraphRunner]:
    """What rasa.core.processor instantiates to run the model's graph while serving."""
    return SequentialGraphRunner
