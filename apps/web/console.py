"""The staff console: sign-in, the request queue, a request's page, status changes, CSV export, FAQ.

Requests go through tracking.service (the one request service, as for the bot and the staff command
line); accounts through tracking.accounts. Database calls run in a thread: they block.
"""
from __future__ import annotations

import asyncio
import io
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from knowledge.loading import knowledge_base, load_rights
from apps.web import faq
from apps.web.page_templates import render
from apps.web.staff_auth import (CONSOLE_PATH, CSRF_FIELD, LOGIN_CSRF_COOKIE, SESSION_COOKIE, clear_cookie,
                                form_value, login_csrf_ok, new_login_csrf_token, safe_next, set_cookie,
                                staff_only, start_session)
from tracking import accounts, service
from tracking.models import Status
from tracking.service import ALLOWED_TRANSITIONS, RequestError, RequestFilters, RequestNotFound

console = Blueprint("console", url_prefix=CONSOLE_PATH)
ALL_ORGANIZATIONS = "all"


@console.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    return _login_page(request, error=None, status=200)


@console.post("/login")
async def login(request: Request) -> HTTPResponse:
    if not login_csrf_ok(request):
        return _login_page(request, error="The sign-in form expired. Please try again.", status=403)
    username = await asyncio.to_thread(accounts.authenticate, form_value(request, "username"),
                                       form_value(request, "password"))
    if username is None:
        return _login_page(request, error="Wrong username or password (or the account is locked for a while "
                                          "after repeated failures).", status=401)
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
    try:
        records = await asyncio.to_thread(service.list_requests, filters)
        error = None
    except RequestError as problem:
        records, error = [], str(problem)
    now = service.utcnow()
    return _page(request, "requests.html", records=records, filters=filters, now=now, error=error,
                 overdue_count=sum(record.is_overdue(now) for record in records),
                 statuses=[status.value for status in Status])


@console.get("/requests.csv")
@staff_only
async def export(request: Request) -> HTTPResponse:
    out = io.StringIO()
    try:
        await asyncio.to_thread(service.export_csv, out, _filters(request))
    except RequestError as problem:
        return response.text(str(problem), status=400)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    # utf-8 with a BOM: spreadsheets then read accented names correctly.
    return response.raw(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="requests-{stamp}.csv"'})


@console.get("/requests/<reference:str>")
@staff_only
async def request_page(request: Request, reference: str) -> HTTPResponse:
    return await _request_page(request, reference, error=None, status=200)


@console.post("/requests/<reference:str>/status")
@staff_only
async def change_status(request: Request, reference: str) -> HTTPResponse:
    try:
        record = await asyncio.to_thread(service.change_status, reference, form_value(request, "status"),
                                         by=request.ctx.staff.username, note=form_value(request, "note"))
    except RequestNotFound:
        return await _request_page(request, reference, error=None, status=404)
    except RequestError as problem:
        return await _request_page(request, reference, error=str(problem), status=409)
    return response.redirect(f"{CONSOLE_PATH}/requests/{record.reference}?changed=1", status=303)


@console.get("/faq")
@staff_only
async def faq_form(request: Request) -> HTTPResponse:
    return _page(request, "faq.html", question="", chosen=ALL_ORGANIZATIONS, answers=None)


@console.post("/faq")
@staff_only
async def faq_answers(request: Request) -> HTTPResponse:
    question = form_value(request, "question").strip()[:1000]
    chosen = form_value(request, "organization") or ALL_ORGANIZATIONS
    organizations = knowledge_base().organizations_by_name()
    if chosen != ALL_ORGANIZATIONS:
        organizations = [organization for organization in organizations if organization.slug == chosen]
    answers = await faq.ask_each(request.app.ctx.rasa, question, organizations) if question else None
    return _page(request, "faq.html", question=question, chosen=chosen, answers=answers)


def _login_page(request: Request, *, error: Optional[str], status: int) -> HTTPResponse:
    token = new_login_csrf_token()
    resp = response.html(render("login.html", error=error, csrf_token=token, csrf_field=CSRF_FIELD,
                                next=safe_next(request.args.get("next") or form_value(request, "next"))),
                         status=status)
    set_cookie(resp, LOGIN_CSRF_COOKIE, token, secure=request.app.ctx.settings.secure_cookies, max_age=3600)
    return resp


async def _request_page(request: Request, reference: str, *, error: Optional[str], status: int) -> HTTPResponse:
    try:
        record = await asyncio.to_thread(service.get_request, reference)
    except RequestNotFound:
        return _page(request, "not_found.html", reference=reference, status=404)
    right = load_rights().get(record.right)
    now = service.utcnow()
    return _page(request, "request.html", record=record, right=right, now=now, error=error,
                 changed=request.args.get("changed") == "1", status=status,
                 next_statuses=[status.value for status in Status if status in ALLOWED_TRANSITIONS[record.status]])


def _page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    identity = request.ctx.staff
    html = render(template, staff=identity.username, csrf_token=identity.csrf_token, csrf_field=CSRF_FIELD,
                  organizations=knowledge_base().organizations_by_name(), rights=load_rights(), **context)
    return response.html(html, status=status)


def _filters(request: Request) -> RequestFilters:
    args: Dict[str, str] = {name: (request.args.get(name) or "").strip() for name in
                            ("organization", "right", "status", "overdue")}
    return RequestFilters(organization=args["organization"] or None, right=args["right"] or None,
                          status=args["status"] or None, overdue=args["overdue"] in ("1", "on", "true"))


