"""The staff console: sign-in, the request queue, a request's page, status changes, CSV export, FAQ.

Requests go through tracking.service (the one request service, as for the bot and the staff command
line) with the signed-in member's caller: the service limits everything to their organisations and
records views, changes, searches and exports in the audit log. Accounts go through tracking.accounts.
Database calls run in a thread: they block. Every word comes from data/texts/console.yml in the
staff member's language (apps.web.languages). Administrators' pages: apps.web.console_admin.
"""
from __future__ import annotations

import asyncio
from typing import Dict, Optional

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from knowledge.loading import load_rights
from apps.web import faq
from apps.web.console_pages import csv_download, page, remember_language, render_console, visible_organizations
from apps.web.staff_auth import (CONSOLE_PATH, CSRF_FIELD, LOGIN_CSRF_COOKIE, SESSION_COOKIE, clear_cookie,
                                console_text, form_value, login_csrf_ok, new_login_csrf_token, safe_next,
                                set_cookie, staff_only, start_session)
from tracking import accounts, service
from tracking.models import Status
from tracking.service import (ALLOWED_TRANSITIONS, DEADLINE_BANDS, ON_TIME, ConcurrentChange, InvalidRequest,
                              RequestError, RequestFilters, RequestNotFound, TransitionRefused)

console = Blueprint("console", url_prefix=CONSOLE_PATH)
console.middleware(remember_language, "response")
ALL_ORGANIZATIONS = "all"
# The queue's legend, most pressing first.
BANDS = tuple(band for _limit, band in DEADLINE_BANDS) + (ON_TIME,)
# The request service explains a refusal in technical English: staff read the catalogue's text for its kind.
PROBLEM_TEXTS = {TransitionRefused: "error_transition", ConcurrentChange: "error_concurrent"}
INVALID_FIELD_TEXTS = {"note": "error_note", "status": "error_status", "organization": "error_filter",
                       "right": "error_filter", "search": "error_search"}


@console.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    return _login_page(request, error=None, status=200)


@console.post("/login")
async def login(request: Request) -> HTTPResponse:
    if not login_csrf_ok(request):
        return _login_page(request, error=console_text(request, "login_expired"), status=403)
    # On the password-check threads, not the default executor the session checks of every page use.
    username = await accounts.authenticate_async(form_value(request, "username"), form_value(request, "password"))
    if username is None:
        return _login_page(request, error=console_text(request, "login_failed"), status=401)
    token = await asyncio.to_thread(accounts.open_session, username)
    resp = response.redirect(safe_next(form_value(request, "next")), status=303)
    start_session(resp, token, secure=request.app.ctx.settings.secure_cookies)
    return resp


@console.post("/logout")
@staff_only
async def logout(request: Request) -> HTTPResponse:
    await asyncio.to_thread(accounts.close_session, request.cookies.get(SESSION_COOKIE))
    resp = response.redirect(CONSOLE_PATH + "/login", status=303)
    clear_cookie(resp, SESSION_COOKIE)
    return resp


@console.get("/")
@staff_only
async def home(request: Request) -> HTTPResponse:
    return response.redirect(CONSOLE_PATH + "/requests")


@console.get("/requests")
@staff_only
async def queue(request: Request) -> HTTPResponse:
    filters = _filters(request)
    caller = request.ctx.staff.caller
    try:
        records = await asyncio.to_thread(service.list_requests, filters, caller=caller)
        error = None
    except RequestError as problem:
        records, error = [], _problem_text(request, problem)
    counts = await asyncio.to_thread(service.count_requests, caller=caller)
    now = service.utcnow()
    return page(request, "requests.html", records=records, filters=filters, now=now, error=error,
                overdue_count=sum(record.is_overdue(now) for record in records), statuses=list(Status),
                counts=counts, bands=BANDS)


@console.get("/requests.csv")
@staff_only
async def export(request: Request) -> HTTPResponse:
    filters, caller = _filters(request), request.ctx.staff.caller
    try:
        return await csv_download(lambda out: service.export_csv(out, filters, caller=caller), "requests")
    except RequestError as problem:
        return response.text(_problem_text(request, problem), status=400)


@console.get("/requests/<reference:str>")
@staff_only
async def request_page(request: Request, reference: str) -> HTTPResponse:
    return await _request_page(request, reference, error=None, status=200)


@console.post("/requests/<reference:str>/status")
@staff_only
async def change_status(request: Request, reference: str) -> HTTPResponse:
    try:
        record = await asyncio.to_thread(service.change_status, reference, form_value(request, "status"),
                                         by=request.ctx.staff.username, note=form_value(request, "note"),
                                         caller=request.ctx.staff.caller)
    except RequestNotFound:
        return await _request_page(request, reference, error=None, status=404)
    except RequestError as problem:
        return await _request_page(request, reference, error=_problem_text(request, problem), status=409)
    return response.redirect(f"{CONSOLE_PATH}/requests/{record.reference}?changed=1", status=303)


@console.get("/faq")
@staff_only
async def faq_form(request: Request) -> HTTPResponse:
    return page(request, "faq.html", question="", chosen=ALL_ORGANIZATIONS, answers=None)


@console.post("/faq")
@staff_only
async def faq_answers(request: Request) -> HTTPResponse:
    question = form_value(request, "question").strip()[:1000]
    chosen = form_value(request, "organization") or ALL_ORGANIZATIONS
    organizations = visible_organizations(request)  # never another organisation's column
    if chosen != ALL_ORGANIZATIONS:
        organizations = [organization for organization in organizations if organization.slug == chosen]
    answers = await faq.ask_each(request.app.ctx.rasa, question, organizations) if question else None
    return page(request, "faq.html", question=question, chosen=chosen, answers=answers)


def _login_page(request: Request, *, error: Optional[str], status: int) -> HTTPResponse:
    token = new_login_csrf_token()
    resp = response.html(render_console(request, "login.html", CONSOLE_PATH + "/login", error=error, csrf_token=token,
                                 csrf_field=CSRF_FIELD,
                                 next=safe_next(request.args.get("next") or form_value(request, "next"))),
                         status=status)
    set_cookie(resp, LOGIN_CSRF_COOKIE, token, secure=request.app.ctx.settings.secure_cookies, max_age=3600)
    return resp


async def _request_page(request: Request, reference: str, *, error: Optional[str], status: int) -> HTTPResponse:
    here = f"{CONSOLE_PATH}/requests/{reference}"  # also after a POST to .../status: the page's own address
    try:
        record = await asyncio.to_thread(service.get_request, reference, caller=request.ctx.staff.caller)
    except RequestNotFound:  # unknown, deleted, or of an organisation this member does not work for
        return page(request, "not_found.html", reference=reference, status=404, here=here)
    right = load_rights().get(record.right)
    now = service.utcnow()
    return page(request, "request.html", record=record, right=right, now=now, error=error,
                changed=request.args.get("changed") == "1", status=status, here=here,
                next_statuses=[status for status in Status if status in ALLOWED_TRANSITIONS[record.status]])


def _problem_text(request: Request, problem: RequestError) -> str:
    key = next((key for kind, key in PROBLEM_TEXTS.items() if isinstance(problem, kind)), "error_request")
    if isinstance(problem, InvalidRequest):
        key = INVALID_FIELD_TEXTS.get(problem.field, key)
    return console_text(request, key)


def _filters(request: Request) -> RequestFilters:
    args: Dict[str, str] = {name: (request.args.get(name) or "").strip() for name in
                            ("organization", "right", "status", "overdue", "search")}
    return RequestFilters(organization=args["organization"] or None, right=args["right"] or None,
                          status=args["status"] or None, overdue=args["overdue"] in ("1", "on", "true"),
                          search=args["search"] or None)


