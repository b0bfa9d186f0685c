"""Console sign-in: the session cookie, the CSRF checks and the `staff_only` guard on every route.

Every console route but the sign-in page is wrapped in `staff_only`: without a valid session a
page request is redirected to the sign-in page and anything else gets 401; a POST whose form does
not carry the session's CSRF token gets 403; administrators' pages are wrapped in `admin_only`. The
sign-in form has its own CSRF token (a cookie it must match), so no other site can sign a browser in
to an account of its choosing.
"""
from __future__ import annotations

import asyncio
import functools
import secrets
from typing import Awaitable, Callable, List, Optional
from urllib.parse import quote

from sanic import Request, response
from sanic.response import HTTPResponse

from knowledge.texts import text
from apps.web.languages import request_language
from tracking import accounts
from tracking.accounts import SESSION_LIFETIME, StaffIdentity

SESSION_COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_login_csrf"
CSRF_FIELD = "csrf_token"
CONSOLE_PATH = "/console"
LOGIN_PATH = CONSOLE_PATH + "/login"
CONSOLE_TEXTS = "console"  # data/texts/console.yml

Handler = Callable[..., Awaitable[HTTPResponse]]


def staff_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def guarded(request: Request, *args, **kwargs) -> HTTPResponse:
        identity = await current_staff(request)
        if identity is None:
            if request.method in ("GET", "HEAD") and not request.path.endswith(".csv"):
                return response.redirect(f"{LOGIN_PATH}?next={quote(request.path)}")
            return response.text(console_text(request, "sign_in_first"), status=401)
        if request.method not in ("GET", "HEAD") and not accounts.tokens_match(identity.csrf_token, form_value(
                request, CSRF_FIELD)):
            return response.text(console_text(request, "form_expired"), status=403)
        request.ctx.staff = identity
        return await handler(request, *args, **kwargs)

    return guarded


def admin_only(handler: Handler) -> Handler:
    """`staff_only`, and for administrators only: anyone else gets 403 and nothing of the page."""
    @staff_only
    @functools.wraps(handler)
    async def guarded(request: Request, *args, **kwargs) -> HTTPResponse:
        if not request.ctx.staff.is_admin:
            return response.text(console_text(request, "admin_only"), status=403)
        return await handler(request, *args, **kwargs)

    return guarded


def console_text(request: Request, key: str, **values: object) -> str:
    """The console text `key` in the language of the person making `request`."""
    return text(f"{CONSOLE_TEXTS}.{key}", request_language(request), **values)


async def current_staff(request: Request) -> Optional[StaffIdentity]:
    return await asyncio.to_thread(accounts.find_session, request.cookies.get(SESSION_COOKIE))


def form_value(request: Request, name: str) -> str:
    return (request.form.get(name) if request.form else None) or ""


def form_values(request: Request, name: str) -> List[str]:
    """Every value of a field that may repeat (checkboxes)."""
    return list(request.form.getlist(name) or []) if request.form else []


def new_login_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def login_csrf_ok(request: Request) -> bool:
    return accounts.tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form_value(request, CSRF_FIELD))


def set_cookie(resp: HTTPResponse, name: str, value: str, *, secure: bool, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = CONSOLE_PATH
    cookie["max-age"] = max_age
    if secure:
        cookie["secure"] = True


def start_session(resp: HTTPResponse, token: str, *, secure: bool) -> None:
    set_cookie(resp, SESSION_COOKIE, token, secure=secure, max_age=int(SESSION_LIFETIME.total_seconds()))
    clear_cookie(resp, LOGIN_CSRF_COOKIE)


def clear_cookie(resp: HTTPResponse, name: str) -> None:
    resp.cookies[name] = ""
    resp.cookies[name]["path"] = CONSOLE_PATH
    resp.cookies[name]["max-age"] = 0


def safe_next(target: Optional[str]) -> str:
    """Only a console path: a `next` pointing elsewhere would make the sign-in page an open redirect."""
    if target and target.startswith(CONSOLE_PATH + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return CONSOLE_PATH + "/requests"
