"""The speed-ups change no behaviour: the same responses validate, the same ones fail, events
resolve to the same classes, and the trained model's graph gives the same outputs and errors
without dask."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot.rasa_server.patches import install_all
from bot.rasa_server.patches.speedups import SequentialGraphRunner

install_all()

# One worker loads the trained model for every test here (pytest-xdist would load it on each).
pytestmark = [pytest.mark.xdist_group("trained-agent"), pytest.mark.heavy]


def test_a_valid_action_response_still_validates():
    action = RemoteAction("action_x", None)
    response = {
        "events": [{"event": "slot", "name": "topic", "value": "x"}],
        "responses": [{"text": "hi"}],
    }
    assert action._validate_action_result(response)


def test_an_invalid_action_response_is_still_refused():
    action = RemoteAction("action_x", None)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": 42}], "responses": "not a list"})


@pytest.mark.parametrize(
    ("name", "cls"), [("user", UserUttered), ("slot", SlotSet), ("action", ActionExecuted)]
)
def test_event_types_resolve_as_before(name, cls):
    assert Event.resolve_by_type(name) is cls
    assert Event.resolve_by_type(name) is cls  # from the cache


def test_unknown_event_types_still_fail_or_default():
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet


# -- the graph runner ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def agent(trained_agent):
    return trained_agent


def runners(agent):
    """Dask's runner and ours over the same loaded nodes of the trained model."""
    loaded = agent.processor.graph_runner
    pair = []
    for cls in (DaskGraphRunner, SequentialGraphRunner):
        runner = cls.__new__(cls)
        runner.__dict__.update({k: v for k, v in loaded.__dict__.items() if k != "_orders"})
        pair.append(runner)
    return pair


QUESTIONS = [
    "hi",
    "erasmsu partnr countrys",
    "how mny forein studnts",
    "who coordinates PAWER?",
    "partners in Japan?",
    "what's the tuition fee",
    "will it rain tomorrow",
    "tell me about the dual degree with Braganza",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_sequential_runner_parses_exactly_like_dask(agent, text):
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE

    nlu_target = agent.processor.model_metadata.nlu_target
    results = []
    for runner in runners(agent):
        output = runner.run(inputs={PLACEHOLDER_MESSAGE: [UserMessage(text)]}, targets=[nlu_target])
        results.append(output[nlu_target][0].as_dict(only_output_properties=True))
    assert results[0] == results[1]
    assert results[0]["intent"]["name"]


def test_sequential_runner_predicts_actions_exactly_like_dask(agent):
    from rasa.engine.constants import PLACEHOLDER_TRACKER
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    core_target = agent.processor.model_metadata.core_target
    tracker = DialogueStateTracker("s", agent.domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("who coordinates PAWER?", {"name": "ask_project_details"}))
    predictions = []
    for runner in runners(agent):
        output = runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[core_target])
        prediction = output[core_target]
        predictions.append((prediction.policy_name, prediction.probabilities))
    assert predictions[0] == predictions[1]
    best = max(range(len(predictions[0][1])), key=predictions[0][1].__getitem__)
    assert agent.domain.action_names_or_texts[best] == "action_project_details"


def test_sequential_runner_keeps_dasks_errors(agent):
    from rasa.engine.exceptions import GraphRunError

    nlu_target = agent.processor.model_metadata.nlu_target
    for runner in runners(agent):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            runner.run(inputs={"x": "run_SpacyNLP0"}, targets=[nlu_target])
        assert runner.run(inputs={"x": "run_SpacyNLP0"}, targets=[]) == {}


def test_serving_uses_the_sequential_runner(agent):
    assert isinstance(agent.processor.graph_runner, SequentialGraphRunner)
