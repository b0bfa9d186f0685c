"""Forged entities and slot values of the wrong type never reach the actions (actions/payload.py)."""
from __future__ import annotations

from actions.payload import well_typed

DOMAIN = {"slots": {"right": {"type": "text"}, "organization": {"type": "text"}, "request_confirmed": {"type": "bool"},
                    "last_question": {"type": "any"}}}


def call(slots, entities):
    message = {"text": "/request_right", "intent": {"name": "request_right"}, "entities": entities}
    return {"next_action": "action_start_rights_request", "domain": DOMAIN,
            "tracker": {"slots": slots, "latest_message": message, "events": [{"event": "user", "parse_data": message}]}}


def test_ill_typed_slots_become_none_and_well_typed_ones_stay():
    slots = {"right": {"x": 1}, "organization": "cesi", "request_confirmed": "yes", "last_question": {"text": "q"}}
    tracker = well_typed(call(slots, []))["tracker"]
    assert tracker["slots"] == {"right": None, "organization": "cesi", "request_confirmed": None,
                                "last_question": {"text": "q"}}


def test_entities_without_a_scalar_value_are_dropped_everywhere():
    entities = [{"entity": "right", "value": {"x": 1}}, {"entity": "organization", "value": "cesi"},
                {"entity": "right", "value": ["erasure"]}]
    tracker = well_typed(call({}, entities))["tracker"]
    assert tracker["latest_message"]["entities"] == [{"entity": "organization", "value": "cesi"}]
    assert tracker["events"][0]["parse_data"]["entities"] == [{"entity": "organization", "value": "cesi"}]


def test_anything_else_passes_unchanged():
    assert well_typed(None) is None
    assert well_typed({"next_action": "x"}) == {"next_action": "x"}
