"""The web app: widget + demo pages (public), the staff console (signed-in staff only), and /health,
/ready and /metrics for the load balancer and Prometheus (apps/web/probes.py).

    python -m apps.web          # 127.0.0.1:8000 by default (WEB_HOST, WEB_PORT, RASA_URL)
"""
from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie
from typing import Dict, Optional

from sanic import Request, Sanic, response
from sanic.exceptions import NotFound, SanicException
from sanic.response import HTTPResponse

from apps.web.console import console
from apps.web.console_admin import console_admin
from apps.web.probes import probes
from apps.rasa_client import RasaClient
from apps.web.conversation_ids import ConversationIds
from apps.web.settings import WebSettings
from apps.web.staff_auth import CONSOLE_PATH, LOGIN_PATH, console_text
from apps.web.widget import client_address, widget
from tracking import metrics
from tracking.validation import RateLimits

logger = logging.getLogger(__name__)

# The console's pages load nothing from elsewhere and may not be framed; the demo pages load the
# widget from this server only.
CONSOLE_POLICY = "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
PUBLIC_POLICY = "default-src 'self'; frame-ancestors 'self'; base-uri 'none'"


def readable_cookies(header: Optional[str]) -> Dict[str, str]:
    """The cookies of a Cookie header, skipping those Python's parser refuses ("?&=#": another site's
    cookie on the same host, or a hostile client) instead of failing the whole request."""
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(header or "")
    except CookieError:  # one at a time, keeping the readable ones
        cookies = SimpleCookie()
        for part in (header or "").split(";"):
            try:
                cookies.load(part.strip())
            except CookieError:
                continue
    return {name: morsel.value for name, morsel in cookies.items()}


class WebRequest(Request):
    """Sanic's request with `readable_cookies`: Sanic's own parsing raised CookieError on a malformed
    header, in every handler and again in the error handler (a 500 for any page)."""

    @property
    def cookies(self) -> Dict[str, str]:
        if self._cookies is None:
            self._cookies = readable_cookies(self.headers.getone("cookie", None))
        return self._cookies


def create_app(settings: Optional[WebSettings] = None, name: str = "privacy_assistant_web") -> Sanic:
    settings = settings or WebSettings.from_env()
    app = Sanic(name, configure_logging=False, request_class=WebRequest)  # logging is set up once, by the caller
    app.config.FORWARDED_SECRET = None
    app.config.REQUEST_MAX_SIZE = 1_000_000  # Sanic's 413 before reading; /chat's own cap is far lower
    app.ctx.settings = settings
    app.ctx.limits = RateLimits()
    app.ctx.conversation_ids = ConversationIds.from_env()  # the key is read (or created) once, at start
    app.blueprint(widget)
    app.blueprint(console)
    app.blueprint(console_admin)
    app.blueprint(probes)

    @app.before_server_start
    async def open_clients(app: Sanic, _loop) -> None:
        app.ctx.rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds)
        await app.ctx.rasa.start()

    @app.after_server_stop
    async def close_clients(app: Sanic, _loop) -> None:
        await app.ctx.rasa.close()

    @app.on_request
    async def sign_in_rate_limit(request: Request) -> Optional[HTTPResponse]:
        if request.method != "POST" or request.path != LOGIN_PATH:
            return None
        wait = app.ctx.limits.retry_after("RATE_LIMIT_SIGN_IN", client_address(request))
        if wait is None:
            return None
        return response.text(console_text(request, "sign_in_rate_limited", seconds=wait), status=429,
                             headers={"Retry-After": str(wait)})

    @app.on_response
    async def count_response(_request: Request, resp: HTTPResponse) -> None:
        metrics.HTTP_RESPONSES.labels(server="web", status=str(resp.status)).inc()

    @app.on_response
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith(CONSOLE_PATH):
            resp.headers["Content-Security-Policy"] = CONSOLE_POLICY
            resp.headers["X-Frame-Options"] = "DENY"
            resp.headers["Cache-Control"] = "no-store"  # personal data must not stay in shared caches
        elif "Content-Security-Policy" not in resp.headers:
            resp.headers["Content-Security-Policy"] = PUBLIC_POLICY

    @app.exception(NotFound)
    async def not_found(request: Request, _error: Exception) -> HTTPResponse:
        return response.text(console_text(request, "not_found"), status=404)

    @app.exception(Exception)
    async def failure(request: Request, error: Exception) -> HTTPResponse:
        if isinstance(error, SanicException):
            status = getattr(error, "status_code", 400)
            return response.text(console_text(request, "request_refused", status=status), status=status)
        # A database or other failure: say so plainly, log the type only (messages may hold personal data).
        logger.error("Web request to %s failed: %s", request.path, type(error).__name__)
        metrics.ERRORS.labels(component="web", kind="server_error").inc()
        return response.text(console_text(request, "server_error"), status=503)

    return app
