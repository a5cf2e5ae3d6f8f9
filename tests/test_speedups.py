"""The speed-ups change no behaviour: the same responses validate, the same ones fail, and events
resolve to the same classes."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot import speedups

speedups.install()


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
