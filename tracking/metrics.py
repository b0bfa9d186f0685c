"""The assistant's Prometheus metrics: defined once here, counted where things happen, and exposed by
each server on its own /metrics (the web app and the action server on their port, the Telegram relay on
METRICS_PORT).

    from tracking import metrics
    metrics.REQUESTS_FILED.labels(organization=slug).inc()
    status, body, content_type = metrics.scrape(request_authorization_header)   # a /metrics answer

Requests filed and mail sent are counted by the tracking layer that files and sends them; messages,
latency, errors and 429s by the channel adapters. Labels carry only closed sets of names (organisation
slugs, channel names, action names, mail kinds, HTTP status codes), never anything a person typed,
a sender id or an address.

Each process counts for itself, and a scrape reads the one process that answers it: scrape every
instance (Prometheus adds them up). A server run as several worker processes behind one port
(ACTION_SERVER_SANIC_WORKERS > 1) needs PROMETHEUS_MULTIPROC_DIR set to an empty folder before it
starts: every worker then writes its counts there and /metrics sums them (prometheus_client's
multiprocess mode).
"""
from __future__ import annotations

import hmac
import os
import re
from typing import Mapping, Optional, Tuple

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
TOKEN_VARIABLE = "METRICS_TOKEN"
# A message waits on NLU, the dialogue and sometimes the action server and the database.
MESSAGE_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0, 6.0, 15.0, 30.0)
ACTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# What a label may say when its value comes from a request: a name of code, else "other".
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

MESSAGES = Counter("assistant_messages", "Messages relayed to the assistant, by channel", ["channel"])
MESSAGE_SECONDS = Histogram("assistant_message_seconds", "Time from a person's message to the assistant's replies",
                            ["channel"], buckets=MESSAGE_BUCKETS)
ACTION_SECONDS = Histogram("assistant_action_seconds", "Time the action server takes to run one action call",
                           ["action"], buckets=ACTION_BUCKETS)
HTTP_RESPONSES = Counter("assistant_http_responses", "HTTP responses, by server and status code", ["server", "status"])
ERRORS = Counter("assistant_errors", "Failures: the assistant unreachable, an action or a request that raised",
                 ["component", "kind"])
REQUESTS_FILED = Counter("assistant_requests_filed", "Rights requests filed, by organisation", ["organization"])
MAILS = Counter("assistant_mails", "Mails handed to the SMTP server (sent) or not (failed), by kind",
                ["kind", "outcome"])
RATE_LIMITED = Counter("assistant_rate_limited", "Messages and sign-ins refused with 429 for coming too fast, by limit",
                       ["limit"])


def name_label(value: object) -> str:
    """A label from a value a request carries (an action's name): itself when it is a plain name, else "other"."""
    text = str(value or "")
    return text if _NAME.match(text) else "other"


def exposition(environ: Mapping[str, str] = os.environ) -> Tuple[bytes, str]:
    """The body and content type of a /metrics answer: this process's counts, or every worker's in
    multiprocess mode."""
    registry = REGISTRY
    if environ.get(MULTIPROCESS_VARIABLE):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def scrape(authorization: Optional[str], environ: Mapping[str, str] = os.environ) -> Tuple[int, bytes, str]:
    """The status, body and content type a /metrics endpoint answers a request with this Authorization header."""
    if not authorized(authorization, environ):
        return 401, b"unauthorised: Authorization: Bearer $METRICS_TOKEN\n", "text/plain; charset=utf-8"
    body, content_type = exposition(environ)
    return 200, body, content_type


def authorized(authorization: Optional[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether a /metrics request may read: always when METRICS_TOKEN is unset (keep /metrics off the public
    side of the reverse proxy), else only with `Authorization: Bearer $METRICS_TOKEN`."""
    token = (environ.get(TOKEN_VARIABLE) or "").strip()
    return not token or hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode())
