"""An action call as the actions expect it: slot values and entities of the types they declare.

A person can type an intent with entities ("/request_right{"right": {"x": 1}}"): Rasa passes any JSON
value on, into entities and into the slots filled from them. The actions take a text slot for text
and an entity for a word; rather than check that everywhere, the action server (actions/server.py)
replaces each call's ill-typed values with what an absent value is (None, or no entity).
"""
from __future__ import annotations

from typing import Any, Dict

SCALAR = (str, int, float, bool)
# The domain's slot types and the values each accepts (other types, e.g. `any`, take anything).
ACCEPTED = {"text": (str,), "categorical": (str,), "bool": (bool,), "float": (int, float),
            "list": (list,)}


def _well_typed_message(message: Dict[str, Any]) -> Dict[str, Any]:
    entities = message.get("entities")
    if not isinstance(entities, list):
        return message
    kept = [e for e in entities if isinstance(e, dict) and isinstance(e.get("value"), SCALAR)]
    return {**message, "entities": kept} if len(kept) != len(entities) else message


def well_typed(action_call: Any) -> Any:
    """The action call with ill-typed slot values set to None and entities without a scalar value dropped."""
    if not isinstance(action_call, dict) or not isinstance(action_call.get("tracker"), dict):
        return action_call
    tracker = dict(action_call["tracker"])
    slot_types = {name: (spec or {}).get("type") for name, spec in
                  ((action_call.get("domain") or {}).get("slots") or {}).items()}
    slots = tracker.get("slots")
    if isinstance(slots, dict):
        tracker["slots"] = {name: (value if value is None or not isinstance(ACCEPTED.get(slot_types.get(name)), tuple)
                                   or isinstance(value, ACCEPTED[slot_types[name]]) else None)
                            for name, value in slots.items()}
    if isinstance(tracker.get("latest_message"), dict):
        tracker["latest_message"] = _well_typed_message(tracker["latest_message"])
    if isinstance(tracker.get("events"), list):
        tracker["events"] = [{**event, "parse_data": _well_typed_message(event["parse_data"])}
                             if isinstance(event, dict) and isinstance(event.get("parse_data"), dict) else event
                             for event in tracker["events"]]
    return {**action_call, "tracker": tracker}
