"""The launcher Rasa is served through: same checks and same model loading, less time."""
from __future__ import annotations

import copy
import os
import subprocess
import sys

import jsonschema
import pytest
from jsonschema import validators
from rasa.core.actions.action import RemoteAction

from rasa_extensions import launcher as rasa_server

RESPONSE_SCHEMA = RemoteAction.action_response_format_spec()
VALID_RESPONSE = {
    "events": [{"event": "slot", "name": "organization", "value": "akteos", "timestamp": None}],
    "responses": [{"response": "utter_policy_answer", "answer": "…"}],
}
INVALID_RESPONSES = [
    {"events": [{"event": "slot", "value": "akteos"}]},       # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"events": "slot organization=akteos"},
    {"responses": ["a bare string instead of a message"]},
]


def test_a_valid_action_response_passes():
    rasa_server.validate(VALID_RESPONSE, RESPONSE_SCHEMA)


@pytest.mark.parametrize("response", INVALID_RESPONSES)
def test_an_invalid_action_response_is_refused_with_jsonschemas_own_error(response):
    with pytest.raises(jsonschema.ValidationError) as ours:
        rasa_server.validate(response, RESPONSE_SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as theirs:
        jsonschema.validate(response, RESPONSE_SCHEMA)
    assert (ours.value.message, list(ours.value.path)) == (theirs.value.message, list(theirs.value.path))


def test_rasa_rejects_a_malformed_action_response_when_served_by_the_launcher(monkeypatch):
    monkeypatch.setattr(jsonschema, "validate", rasa_server.validate)
    action = RemoteAction("action_answer_policy_question", None)
    assert action._validate_action_result(VALID_RESPONSE)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(INVALID_RESPONSES[0])


def test_the_schema_itself_is_checked_once_not_on_every_call(monkeypatch):
    checks = []
    validator_class = validators.validator_for(RESPONSE_SCHEMA)
    original = validator_class.check_schema
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, s: checks.append(s) or original(s)))
    monkeypatch.setattr(rasa_server, "_validators", [])
    for _ in range(5):  # Rasa builds the schema anew for every response
        rasa_server.validate(VALID_RESPONSE, copy.deepcopy(RESPONSE_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        rasa_server.validate(INVALID_RESPONSES[1], RESPONSE_SCHEMA)
    assert len(checks) == 1


def test_an_invalid_schema_is_refused_every_time():
    broken = {"type": "no-such-type"}
    for _ in range(2):
        with pytest.raises(jsonschema.SchemaError):
            rasa_server.validate({}, broken)


def test_importing_skops_before_tensorflow_gives_the_same_trusted_types():
    # The launcher imports skops first because its import is ~8 s slower once TensorFlow is loaded;
    # the types it trusts when loading the logistic regression must not depend on that order.
    script = ("import sys, json\n"
              "if sys.argv[1] == 'first':\n    import skops.io._trusted_types as t\n    import tensorflow\n"
              "else:\n    import tensorflow\n    import skops.io._trusted_types as t\n"
              "print(json.dumps({n: getattr(t, n) for n in dir(t) if n.endswith('_NAMES')}, sort_keys=True))")
    lists = [subprocess.run([sys.executable, "-c", script, order], capture_output=True, text=True, check=True,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}).stdout for order in ("first", "last")]
    assert lists[0] == lists[1] and "sklearn.linear_model._logistic.LogisticRegression" in lists[0]


def _every_kind_of_event():
    """One event of each kind Rasa's action responses carry, as Rasa serialises it."""
    from rasa.shared.core import events
    return [event.as_dict() for event in [
        events.UserUttered("hi", {"name": "greet", "confidence": 1.0}), events.ActionExecuted("action_listen"),
        events.SlotSet("organization", "akteos"), events.EntitiesAdded([{"entity": "organization", "value": "cesi"}]),
        events.ActionExecutionRejected("action_x"), events.LoopInterrupted(True), events.ActiveLoop("form"),
        events.ActiveLoop(None), events.AllSlotsReset(), events.ConversationResumed(), events.ConversationPaused(),
        events.FollowupAction("action_listen"), events.Restarted(), events.ActionReverted(),
        events.UserUtteranceReverted(), events.BotUttered("hello", {"buttons": []}), events.SessionStarted(),
        events.AgentUttered("hi"), events.ReminderCancelled(name="r"), events.StoryExported("f.yml")]]


def _mutations(event):
    """The event with each field's value replaced by values of other JSON types."""
    for key in event:
        for value in (None, 3, "text", [], {}, True):
            yield {**event, key: value}


def test_the_event_dispatch_gives_jsonschemas_verdict_on_every_kind_of_event_and_its_mutations():
    """The launcher's validator tries only the event schemas an event's name can match: every event
    kind, and each one with its fields given the wrong types, passes or fails exactly as with jsonschema."""
    cases = [event for original in _every_kind_of_event() for event in [original, *_mutations(original)]]
    assert len(cases) > 200
    for event in cases:
        response = {"events": [event], "responses": []}
        verdicts = []
        for validate in (rasa_server.validate, jsonschema.validate):
            try:
                validate(response, RESPONSE_SCHEMA)
                verdicts.append(True)
            except jsonschema.ValidationError:
                verdicts.append(False)
        assert verdicts[0] == verdicts[1], event
    assert all(_passes(event) for event in _every_kind_of_event())


def _passes(event) -> bool:
    try:
        rasa_server.validate({"events": [event]}, RESPONSE_SCHEMA)
        return True
    except jsonschema.ValidationError:
        return False
