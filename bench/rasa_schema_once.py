"""`rasa` with jsonschema checking each schema once instead of on every call (a bench variant).

Rasa 3.6 validates every action server response with `jsonschema.validate(response, schema)`,
which first checks the schema itself against the JSON Schema metaschema: about 100 ms of pure
Python per custom action call on this machine, the largest part of a message's time. This runs
Rasa's own command line with `jsonschema.validate` replaced by one that checks a schema the first
time it sees it and reuses its validator; responses are validated exactly as before (same errors).
It is measured by the bench and not shipped: see reports/benchmark.md.

    python -m bench.rasa_schema_once run --model models ...   # instead of: rasa run --model models ...
"""
from __future__ import annotations

import json
import sys
from typing import Any, Dict

import jsonschema
from jsonschema import exceptions, validators

_validators: Dict[str, Any] = {}


def validate(instance: Any, schema: Dict[str, Any], cls: Any = None, *args: Any, **kwargs: Any) -> None:
    key = json.dumps(schema, sort_keys=True, default=str)
    validator = _validators.get(key)
    if validator is None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)
        validator = _validators[key] = validator_class(schema, *args, **kwargs)
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


if __name__ == "__main__":
    jsonschema.validate = validate
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    sys.exit(main())
