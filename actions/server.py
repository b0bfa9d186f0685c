"""The action server: rasa-sdk's, with the same arguments, that never logs nor returns a conversation.

    python -m actions.server --actions actions --port 5055      # instead of `rasa run actions ...`

Four changes to rasa-sdk 3.6, made before it starts:

- only Rasa may call the actions: a call without the shared token (tracking/keys.py, sent by Rasa in
  a header that rasa_extensions/endpoints.py writes into its endpoints) answers 401, and a deflate
  body that would inflate past MAX_INFLATED_BYTES 413;
- every log record is cleaned of conversation data (tracking/log_privacy.py);
- /ready (the tracking database answers and has its schema) for a load balancer, beside rasa-sdk's
  /health, and /metrics: each action call's duration by action, failures, and what the tracking
  layer counts here (requests filed per organisation, mail sent; tracking/metrics.py);
- an action that raises gets a generic error back. rasa-sdk's own handler answers a 500 whose body
  is the exception's text and the whole request (the tracker: names, e-mails, every message), which
  Rasa then carries into its logs. Here the body names only the action; the traceback is logged
  cleaned. Rasa treats the 500 as a failed action, so the person gets the channel's apology.
"""
from __future__ import annotations

import hmac
import logging
import sys
import time
import zlib
from typing import Any

from actions.payload import well_typed
from tracking import config, keys, metrics
from tracking.log_privacy import install_log_privacy

logger = logging.getLogger(__name__)
GENERIC_ERROR = "the action failed"
MAX_INFLATED_BYTES = 10_000_000  # a tracker of a long conversation is well under 1 MB
READY_TIMEOUT_SECONDS = 3.0  # under a load balancer's check timeout


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
    metrics.ERRORS.labels(component="actions", kind="action_failed").inc()
    return response.json({"error": GENERIC_ERROR, "action_name": action}, status=500)


def _token() -> str:
    return keys.secret(keys.ACTION_SERVER)


def _inflates_within(body: bytes, limit: int) -> bool:
    """Whether a deflate body inflates to at most `limit` bytes, found without inflating more than that."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(body, limit + 1)
    except zlib.error:
        return True  # not deflate after all: rasa-sdk's own error handling answers it
    return len(inflated) <= limit and not inflater.unconsumed_tail


def create_app(*args: Any, **kwargs: Any) -> Any:
    """rasa-sdk's application, with `generic_error` in place of its exception handler, and each action
    call's slot values and entities checked against their types first (actions/payload.py)."""
    app = _create_app(*args, **kwargs)
    app.exception(Exception)(generic_error)  # the later handler for a type replaces the earlier one

    @app.on_request
    async def check_caller_and_types(request: Any) -> Any:
        if request.method != "POST" or request.path != "/webhook":
            return None
        from sanic import response

        # Only Rasa calls the actions: it sends the shared token (rasa_extensions/endpoints.py); a forged
        # call, which could file a request, gets nothing.
        if not hmac.compare_digest(request.headers.get(keys.ACTION_SERVER_HEADER, "").encode(), _token().encode()):
            return response.json({"error": "unauthorised"}, status=401)
        if request.headers.get("Content-Encoding") == "deflate":
            if not _inflates_within(request.body, MAX_INFLATED_BYTES):  # rasa-sdk inflates with no limit
                return response.json({"error": "body too large"}, status=413)
            return None
        request.parsed_json = well_typed(request.json)
        request.ctx.started = time.perf_counter()
        return None

    @app.on_response
    async def measure(request: Any, response: Any) -> None:
        metrics.HTTP_RESPONSES.labels(server="actions", status=str(response.status)).inc()
        started = getattr(request.ctx, "started", None)  # set only for an authorised, uncompressed action call
        if started is not None:
            action = metrics.name_label(_action_name(request))
            metrics.ACTION_SECONDS.labels(action=action).observe(time.perf_counter() - started)

    @app.get("/ready")
    async def ready(_request: Any) -> Any:
        from sanic import response

        database = await config.database_ready_within(READY_TIMEOUT_SECONDS)
        return response.json({"ready": database, "database": database}, status=200 if database else 503)

    @app.get("/metrics")
    async def metrics_endpoint(request: Any) -> Any:
        from sanic import response

        status, body, content_type = metrics.scrape(request.headers.get("authorization"))
        return response.raw(body, status=status, content_type=content_type)

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
