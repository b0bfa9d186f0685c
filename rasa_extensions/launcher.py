"""Rasa's command line, started so that it serves and loads faster.

    python -m rasa_extensions.launcher run --model models ...     # same arguments as `rasa`

It also cleans every log line of conversation data (tracking/log_privacy.py). And two costs of Rasa 3.6 that this removes without changing what Rasa does:

- skops, which Rasa uses to save and load the logistic regression, builds its list of trusted types
  when imported by searching every loaded module for each numpy and scipy ufunc: about 8 s once
  TensorFlow's thousands of modules are loaded, under a second before. Importing it first gives
  the same list (tests/test_rasa_server.py) and takes that time off every start and training.
- Rasa validates every action server response with `jsonschema.validate(response, schema)`,
  and that function first checks the schema itself against the JSON Schema metaschema: about 60 ms
  of pure Python per custom action call on two cores, more than half of a message's time
  (reports/benchmark.md, "Where the time goes"). jsonschema is pinned below 4.18 by Rasa, so no
  upgrade helps. `validate` below keeps jsonschema's contract (same checks of the schema, same
  errors for an invalid response) but checks a schema and builds its validator the first time it
  sees it. Rasa imports `validate` inside the calling function, so replacing the module attribute
  before Rasa starts is enough.
  Rasa's event schema is a `oneOf` of 23 event schemas, each fixing the `event` name with a `const`:
  jsonschema tries every one on every event and builds an error object for each of the 22 that do
  not match (3.4 ms for a response of four events). The validator here tries only the schemas whose
  constant is the event's name, which are the only ones that can match, so the same responses pass
  and fail; a failing one is then checked again by jsonschema's own validator, for its own error.
"""
from __future__ import annotations

import os
import sys
from typing import Any, List, Tuple

import jsonschema
from jsonschema import _validators as _validators_module, exceptions, validators

from tracking.log_privacy import install_log_privacy

_jsonschema_validate = jsonschema.validate  # the original, kept before main() replaces it
# (validator class, schema, its validators): Rasa builds an equal schema for every call, around the
# same events schema object, so comparing with == is immediate where serialising it was 0.08 ms.
_validators: List[Tuple[Any, Any, Any]] = []
_NO_CONSTANT = object()


def _constant(branch: Any, key: str) -> Any:
    if not isinstance(branch, dict):
        return _NO_CONSTANT
    return ((branch.get("properties") or {}).get(key) or {}).get("const", _NO_CONSTANT)


def _one_of_by_event(validator: Any, one_of: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's `oneOf`, tried only on the branches an object's `event` name can match, when every
    branch fixes that name with a `const` (Rasa's events); otherwise exactly jsonschema's."""
    if isinstance(instance, dict) and "event" in instance:
        constants = [_constant(branch, "event") for branch in one_of]
        if all(constant is not _NO_CONSTANT for constant in constants):
            one_of = [branch for branch, constant in zip(one_of, constants)
                      if validator.is_type(instance["event"], "string") and constant == instance["event"]]
    yield from _validators_module.oneOf(validator, one_of, instance, schema)


def _fast_validator_class(validator_class: Any) -> Any:
    return validators.extend(validator_class, {"oneOf": _one_of_by_event})


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate`, with the schema's check and its validator cached per schema."""
    if args or kwargs:  # a caller tuning the validator: nothing to share, do exactly what jsonschema does
        return _jsonschema_validate(instance, schema, cls, *args, **kwargs)
    validator = next((built for known_cls, known, built in _validators if known_cls is cls and known == schema), None)
    if validator is None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)
        validator = (_fast_validator_class(validator_class)(schema), validator_class(schema))
        _validators.append((cls, schema, validator))
    fast, exact = validator
    if fast.is_valid(instance):
        return None
    error = exceptions.best_match(exact.iter_errors(instance))
    if error is not None:
        raise error
    return None


# Sanic's own cap on a request body, read before the body is: Rasa's default is 100 MB. The REST
# channel's cap on a message body is far lower (tracking/validation.py, MAX_BODY_BYTES).
REQUEST_MAX_SIZE = 1_000_000


def main() -> int:
    install_log_privacy()  # before Rasa configures logging: no conversation data in its log lines
    import skops.io  # noqa: F401  (before Rasa imports TensorFlow: see the module's docstring)

    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_SIZE))  # Sanic reads its SANIC_* variables

    jsonschema.validate = validate
    # Rasa's recipe validator looks for RulePolicy itself, not a subclass, and warns; the indexed one
    # (rasa_extensions/rule_policy.py) keeps the default intents' actions and runs the check itself.
    # Rasa's own list of the warnings it expects (and silences outside debug logging):
    from rasa.utils.common import EXPECTED_WARNINGS
    EXPECTED_WARNINGS.append((UserWarning, "'RulePolicy' is not included in the model's policy configuration"))
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
