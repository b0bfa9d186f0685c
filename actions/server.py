"""The action server: rasa-sdk's, with the same arguments, that never logs nor returns a conversation.

    python -m actions.server --actions actions --port 5055      # instead of `rasa run actions ...`

Two changes to rasa-sdk 3.6, made before it starts:

- every log record is cleaned of conversation data (tracking/log_privacy.py);
- an action that raises gets a generic error back. rasa-sdk's own handler answers a 500 whose body
  is the exception's text and the whole request (the tracker: names, e-mails, every message), which
  Rasa then carries into its logs. Here the body names only the action; the traceback is logged
  cleaned. Rasa treats the 500 as a failed action, so the person gets the channel's apology.
"""
from __future__ import annotations

import logging
import sys
from typing import Any

from actions.payload import well_typed
from tracking.log_privacy import install_log_privacy

logger = logging.getLogger(__name__)
GENERIC_ERROR = "the action failed"


def _action_name(request: Any) -> str:
    try:
        return str((request.json or {}).get("next_action") or "")[:100]
    except Exception:  # noqa: BLE001 - the body may not be JSON at all
        return ""


async def generic_error(request: Any, exception: Exception) -> Any:
    """The answer to any exception in a request: the action's name, never the request or the error's text."""
    from sanic import response

    action = _action_name(request)
    logger.error("Action %r failed with %s", action, type(exception).__name__, exc_info=exception)
    return response.json({"error": GENERIC_ERROR, "action_name": action}, status=500)


def create_app(*args: Any, **kwargs: Any) -> Any:
    """rasa-sdk's application, with `generic_error` in place of its exception handler, and each action
    call's slot values and entities checked against their types first (actions/payload.py)."""
    app = _create_app(*args, **kwargs)
    app.exception(Exception)(generic_error)  # the later handler for a type replaces the earlier one

    @app.on_request
    async def check_types(request: Any) -> None:
        if request.method == "POST" and request.path == "/webhook" and \
                request.headers.get("Content-Encoding") != "deflate":
            request.parsed_json = well_typed(request.json)

    return app


def main() -> int:
    from rasa_sdk import endpoint
    from rasa_sdk.__main__ import main as sdk_main

    global _create_app
    install_log_privacy()  # before rasa-sdk configures logging; forked Sanic workers inherit it
    _create_app = endpoint.create_app
    endpoint.create_app = create_app  # endpoint.run looks it up in its module when called
    sdk_main()
    return 0


_create_app: Any = None

if __name__ == "__main__":
    sys.exit(main())
