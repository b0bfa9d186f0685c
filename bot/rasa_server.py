"""Rasa's command line, with each JSON schema checked once instead of on every action call.

    python -m bot.rasa_server run --model models ...     # same arguments as `rasa`

Rasa 3.6 validates every action server response with `jsonschema.validate(response, schema)`,
and that function first checks the schema itself against the JSON Schema metaschema: about 60 ms
of pure Python per custom action call on two cores, more than half of a message's time
(reports/benchmark.md, "Where the time goes"). jsonschema is pinned below 4.18 by Rasa, so no
upgrade helps. `validate` below keeps jsonschema's contract (same checks of the schema, same
errors for an invalid response) but checks a schema and builds its validator the first time it
sees it. Rasa imports `validate` inside the calling function, so replacing the module attribute
before Rasa starts is enough.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict

import jsonschema
import yaml
from jsonschema import exceptions, validators

ENDPOINTS = Path(__file__).resolve().parent.parent / "endpoints.yml"

_jsonschema_validate = jsonschema.validate  # the original, kept before main() replaces it
_validators: Dict[str, Any] = {}


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate`, with the schema's check and its validator cached per schema."""
    if args or kwargs:  # a caller tuning the validator: nothing to share, do exactly what jsonschema does
        return _jsonschema_validate(instance, schema, cls, *args, **kwargs)
    key = json.dumps([getattr(cls, "__name__", None), schema], sort_keys=True, default=repr)
    validator = _validators.get(key)
    if validator is None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)
        validator = _validators[key] = validator_class(schema)
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def endpoints_yaml(action_url: str, extra: str = "") -> str:
    """The project's endpoints.yml with another action server URL (tests and benchmarks run their
    own servers on free ports), followed by `extra` YAML (e.g. a Redis tracker and lock store)."""
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = action_url
    return yaml.safe_dump(endpoints, sort_keys=False) + extra


def main() -> int:
    jsonschema.validate = validate
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
