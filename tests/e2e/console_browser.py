"""A cookie-keeping HTTP client for the staff console, and the console's routes listed from the app itself.

Shared by the console's end-to-end tests: a route added to the app is covered without editing them.
"""
from __future__ import annotations

import functools
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from typing import Dict, List, Optional, Tuple

from apps.web.app import create_app
from web_app_server import STAFF_PASSWORD

PUBLIC_CONSOLE_ROUTES = {("GET", "/console/login"), ("POST", "/console/login")}


class Browser:
    """Cookies kept, redirects not followed: each answer is seen as it is."""

    def __init__(self, base: str, accept_language: Optional[str] = None) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())
        if accept_language is not None:
            self.opener.addheaders = [("Accept-Language", accept_language)]

    def request(self, method: str, path: str, form: Optional[Dict[str, object]] = None) -> Tuple[int, Message, str]:
        """`form` values may be lists (a field given several times, as checkboxes are)."""
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode("utf-8", "replace")

    def csrf_token(self, path: str) -> str:
        status, _headers, body = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)

    def sign_in(self, username: str, password: str = STAFF_PASSWORD) -> Tuple[int, Message, str]:
        token = self.csrf_token("/console/login")
        return self.request("POST", "/console/login", {"csrf_token": token, "username": username,
                                                       "password": password, "next": "/console/requests"})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def console_routes(parameters: Dict[str, str]) -> List[Tuple[str, str]]:
    """(method, path) of every console route but the sign-in page, its <parameters> filled in."""
    return sorted(set(_console_routes(parameters)))


@functools.lru_cache(maxsize=1)
def _app():
    return create_app(name="route_listing")  # Sanic refuses a second app of the same name


def _console_routes(parameters: Dict[str, str]):
    for route in _app().router.routes:
        path = "/" + route.path
        if path != "/console" and not path.startswith("/console/"):
            continue
        for parameter, value in parameters.items():
            path = re.sub(rf"<{parameter}(:[^>]*)?>", value, path)
        for method in sorted(route.methods):
            if (method, path) not in PUBLIC_CONSOLE_ROUTES:
                yield method, path
