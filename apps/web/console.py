"""The staff console: sign-in, the request queue, a request's page, status changes, CSV export, FAQ.

Requests go through tracking.service (the one request service, as for the bot and the staff command
line); accounts through tracking.accounts. Database calls run in a thread: they block. Every word comes
from data/texts/console.yml in the staff member's language (apps.web.languages).
"""
from __future__ import annotations

import asyncio
import io
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Union

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from knowledge.loading import knowledge_base, load_rights
from knowledge.model import Organization
from knowledge.texts import text
from apps.web import faq
from apps.web.languages import LANGUAGE_COOKIE, chosen_language, request_language, switch_links
from apps.web.page_templates import render
from apps.web.staff_auth import (CONSOLE_PATH, CONSOLE_TEXTS, CSRF_FIELD, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
                                clear_cookie, console_text, form_value, login_csrf_ok, new_login_csrf_token,
                                safe_next, set_cookie, staff_only, start_session)
from tracking import accounts, service
from tracking.models import Status
from tracking.service import (ALLOWED_TRANSITIONS, ConcurrentChange, InvalidRequest, RequestError, RequestFilters,
                              RequestNotFound, TransitionRefused)

console = Blueprint("console", url_prefix=CONSOLE_PATH)
ALL_ORGANIZATIONS = "all"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
# The request service explains a refusal in technical English: staff read the catalogue's text for its kind.
PROBLEM_TEXTS = {TransitionRefused: "error_transition", ConcurrentChange: "error_concurrent"}
INVALID_FIELD_TEXTS = {"note": "error_note", "status": "error_status", "organization": "error_filter",
                       "right": "error_filter"}


@console.middleware("response")
async def remember_language(request: Request, resp: HTTPResponse) -> None:
    """The language picked with the FR | EN link (`?lang=`) stays picked on the next pages."""
    language = chosen_language(request)
    if language:
        set_cookie(resp, LANGUAGE_COOKIE, language, secure=request.app.ctx.settings.secure_cookies,
                   max_age=LANGUAGE_COOKIE_SECONDS)


@console.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    return _login_page(request, error=None, status=200)


@console.post("/login")
async def login(request: Request) -> HTTPResponse:
    if not login_csrf_ok(request):
        return _login_page(request, error=console_text(request, "login_expired"), status=403)
    username = await asyncio.to_thread(accounts.authenticate, form_value(request, "username"),
                                       form_value(request, "password"))
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
    try:
        records = await asyncio.to_thread(service.list_requests, filters, caller=request.ctx.staff.caller)
        error = None
    except RequestError as problem:
        records, error = [], _problem_text(request, problem)
    now = service.utcnow()
    return _page(request, "requests.html", records=records, filters=filters, now=now, error=error,
                 overdue_count=sum(record.is_overdue(now) for record in records), statuses=list(Status))


@console.get("/requests.csv")
@staff_only
async def export(request: Request) -> HTTPResponse:
    out = io.StringIO()
    try:
        await asyncio.to_thread(service.export_csv, out, _filters(request), caller=request.ctx.staff.caller)
    except RequestError as problem:
        return response.text(_problem_text(request, problem), status=400)
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
    return _page(request, "faq.html", question="", chosen=ALL_ORGANIZATIONS, answers=None)


@console.post("/faq")
@staff_only
async def faq_answers(request: Request) -> HTTPResponse:
    question = form_value(request, "question").strip()[:1000]
    chosen = form_value(request, "organization") or ALL_ORGANIZATIONS
    organizations = _visible_organizations(request)
    if chosen != ALL_ORGANIZATIONS:
        organizations = [organization for organization in organizations if organization.slug == chosen]
    answers = await faq.ask_each(request.app.ctx.rasa, question, organizations) if question else None
    return _page(request, "faq.html", question=question, chosen=chosen, answers=answers)


def _login_page(request: Request, *, error: Optional[str], status: int) -> HTTPResponse:
    token = new_login_csrf_token()
    resp = response.html(_render(request, "login.html", CONSOLE_PATH + "/login", error=error, csrf_token=token,
                                 csrf_field=CSRF_FIELD,
                                 next=safe_next(request.args.get("next") or form_value(request, "next"))),
                         status=status)
    set_cookie(resp, LOGIN_CSRF_COOKIE, token, secure=request.app.ctx.settings.secure_cookies, max_age=3600)
    return resp


async def _request_page(request: Request, reference: str, *, error: Optional[str], status: int) -> HTTPResponse:
    here = f"{CONSOLE_PATH}/requests/{reference}"  # also after a POST to .../status: the page's own address
    try:
        record = await asyncio.to_thread(service.get_request, reference, caller=request.ctx.staff.caller)
    except RequestNotFound:
        return _page(request, "not_found.html", reference=reference, status=404, here=here)
    right = load_rights().get(record.right)
    now = service.utcnow()
    return _page(request, "request.html", record=record, right=right, now=now, error=error,
                 changed=request.args.get("changed") == "1", status=status, here=here,
                 next_statuses=[status for status in Status if status in ALLOWED_TRANSITIONS[record.status]])


def _page(request: Request, template: str, *, status: int = 200, here: Optional[str] = None,
          **context: Any) -> HTTPResponse:
    identity = request.ctx.staff
    html = _render(request, template, here or request.path, staff=identity.username,
                   csrf_token=identity.csrf_token, csrf_field=CSRF_FIELD,
                   organizations=_visible_organizations(request),
                   organization_names={org.slug: org.name for org in knowledge_base().organizations.values()},
                   rights=load_rights(), **context)
    return response.html(html, status=status)


def _visible_organizations(request: Request) -> List[Organization]:
    """The organisations the signed-in member works for (all of them for an administrator), by name."""
    scope = request.ctx.staff.scope
    return [organization for organization in knowledge_base().organizations_by_name() if scope.allows(organization.slug)]


def _render(request: Request, template: str, here: str, **context: Any) -> str:
    """A console page in the staff member's language, with the links to it in each language."""
    language = request_language(request)

    def status_name(status: Union[Status, str]) -> str:
        return text(f"{CONSOLE_TEXTS}.status_{Status(status).value}", language)

    # Each language's link is named in that language, so it can be found by someone who reads only it.
    languages = [(code, text(f"{CONSOLE_TEXTS}.language_name", code), url) for code, url in switch_links(request, here)]
    return render(template, surface=CONSOLE_TEXTS, lang=language, languages=languages, status_name=status_name,
                  **context)


def _problem_text(request: Request, problem: RequestError) -> str:
    key = next((key for kind, key in PROBLEM_TEXTS.items() if isinstance(problem, kind)), "error_request")
    if isinstance(problem, InvalidRequest):
        key = INVALID_FIELD_TEXTS.get(problem.field, key)
    return console_text(request, key)


def _filters(request: Request) -> RequestFilters:
    args: Dict[str, str] = {name: (request.args.get(name) or "").strip() for name in
                            ("organization", "right", "status", "overdue")}
    return RequestFilters(organization=args["organization"] or None, right=args["right"] or None,
                          status=args["status"] or None, overdue=args["overdue"] in ("1", "on", "true"))


