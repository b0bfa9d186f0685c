"""What issue 14's checks add to every chat turn, without the rest of the turn: the body model
(tracking/validation.py: parse_chat_body), the two rate-limit hits (per address, per conversation)
and the log record factory (tracking/log_privacy.py) on the records a turn logs.

    python -m bench.hot_path [--messages K]            # K turns' worth of the checks, as shipped
    python -m bench.hot_path [--messages K] --without  # the same turns as before issue 14: json.loads only

Timed from outside as whole processes, one against the other (both import the same modules); the
difference divided by K is the checks' cost per message. Figures in reports/benchmark.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any, Dict

# Log lines of the kind a turn writes at INFO (the relay's and the web app's own, a Rasa warning).
TURN_RECORDS = [("Chat %s: message of %d characters answered in %d messages", ("tg-1a2b3c…", 42, 2)),
                ("Web request to %s failed: %s", ("/chat", "TimeoutError")),
                ("Action server responded %s", ('{"events": [], "responses": [{"text": "x"}]}',))]


def bodies(count: int) -> list:
    """Distinct realistic bodies: a question, a sender of its own, the widget's metadata."""
    return [json.dumps({"sender": f"web-{number:012d}", "message": f"How long do you keep my CV? ({number})",
                        "metadata": {"organization": "some-slug", "language": "en"}}).encode() for number in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--without", action="store_true", help="as before issue 14: json.loads, no limits, no factory")
    args = parser.parse_args()
    logger = logging.getLogger("bench.hot_path")
    logging.basicConfig(level=logging.INFO, stream=open("/dev/null", "w"))
    from tracking.log_privacy import install_log_privacy  # imported in both: only the per-message work differs
    from tracking.validation import RateLimits, parse_chat_body

    payloads = bodies(args.messages)
    if args.without:
        for body in payloads:
            raw: Dict[str, Any] = json.loads(body)
            _ = (raw.get("sender"), raw.get("message"), raw.get("metadata"))
            for message, values in TURN_RECORDS:
                logger.info(message, *values)
        return 0
    install_log_privacy()
    limits = RateLimits({})  # the shipped limits, in this process's memory
    for number, body in enumerate(payloads):
        checked = parse_chat_body(body)
        limits.retry_after("RATE_LIMIT_PER_IP", f"192.0.2.{number % 250}")  # a public site's many clients
        limits.retry_after("RATE_LIMIT_PER_CONVERSATION", checked.sender)
        for message, values in TURN_RECORDS:
            logger.info(message, *values)
    return 0


if __name__ == "__main__":
    sys.exit(main())
