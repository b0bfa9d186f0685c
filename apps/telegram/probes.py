"""The relay's own small HTTP listener (METRICS_PORT): /metrics for Prometheus (tracking/metrics.py) and
/health for a container's health check. The relay has no HTTP server of its own when it polls Telegram,
and its webhook server (python-telegram-bot's) must stay reachable only by Telegram, so this is apart."""
from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Tuple

from tracking import metrics

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            status, body, content_type = metrics.scrape(self.headers.get("Authorization"))
        elif path == "/health":
            status, body, content_type = 200, b'{"status": "ok"}', "application/json"
        else:
            status, body, content_type = 404, b"not found\n", "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Scrapes are not worth a log line each."""


def serve_probes(host: str, port: int) -> Tuple[ThreadingHTTPServer, threading.Thread]:
    """Starts the listener on a daemon thread (it ends with the relay); returns the server and its thread."""
    server = ThreadingHTTPServer((host, port), _Handler)
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    logger.info("Metrics and health on %s:%s (/metrics, /health)", host, server.server_address[1])
    return server, thread
