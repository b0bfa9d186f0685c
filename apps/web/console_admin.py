"""The administrators' console pages: staff accounts (create, organisations, role, disable) and the
audit log (filter, CSV export). Everyone else gets 403 (`admin_only`).

Accounts go through tracking.accounts and the log through tracking.audit, as the command line's do;
each account change is recorded under the administrator's name.
"""
from __future__ import annotations

import asyncio
from typing import Optional

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from apps.web.console_pages import csv_download, page, remember_language
from apps.web.staff_auth import CONSOLE_PATH, admin_only, console_text, form_value, form_values
from tracking import accounts, audit
from tracking.accounts import AccountError
from tracking.audit import AuditError, AuditFilters
from tracking.clock import utcnow
from tracking.models import AuditAction

console_admin = Blueprint("console_admin", url_prefix=CONSOLE_PATH)
console_admin.middleware(remember_language, "response")
ACCOUNTS_PATH = CONSOLE_PATH + "/accounts"
AUDIT_PAGE_ROWS = 500  # the page shows the latest; the CSV export has every row
AUDIT_FILTERS = ("actor", "action", "since", "until")


@console_admin.get("/accounts")
@admin_only
async def accounts_page(request: Request) -> HTTPResponse:
    return await _accounts_page(request, error=None, status=200)


@console_admin.post("/accounts")
@admin_only
async def create_account(request: Request) -> HTTPResponse:
    try:
        await asyncio.to_thread(accounts.create_user, form_value(request, "username"), form_value(request, "password"),
                                organizations=form_values(request, "organization"),
                                is_admin=form_value(request, "admin") == "1", actor=request.ctx.staff.username)
    except AccountError as problem:
        return await _accounts_page(request, error=_account_problem(request, problem), status=400)
    return response.redirect(f"{ACCOUNTS_PATH}?done=created", status=303)


@console_admin.post("/accounts/<username:str>")
@admin_only
async def change_account(request: Request, username: str) -> HTTPResponse:
    action, actor = form_value(request, "action"), request.ctx.staff.username
    try:
        if action == "access":
            await asyncio.to_thread(accounts.set_access, username, organizations=form_values(request, "organization"),
                                    is_admin=form_value(request, "admin") == "1", actor=actor)
        elif action in ("disable", "enable"):
            await asyncio.to_thread(accounts.set_disabled, username, action == "disable", actor=actor)
        else:
            return await _accounts_page(request, error=console_text(request, "error_request"), status=400)
    except AccountError as problem:
        status = 404 if problem.reason == "no_user" else 409
        return await _accounts_page(request, error=_account_problem(request, problem), status=status)
    return response.redirect(f"{ACCOUNTS_PATH}?done=changed", status=303)


@console_admin.get("/audit")
@admin_only
async def audit_page(request: Request) -> HTTPResponse:
    shown = {name: (request.args.get(name) or "").strip() for name in AUDIT_FILTERS}
    try:
        entries = await asyncio.to_thread(audit.entries, _audit_filters(request), limit=AUDIT_PAGE_ROWS)
        error = None
    except AuditError:
        entries, error = [], console_text(request, "error_audit_filter")
    return page(request, "audit.html", entries=entries, shown=shown, actions=list(AuditAction), error=error,
                limit=AUDIT_PAGE_ROWS)


@console_admin.get("/audit.csv")
@admin_only
async def audit_export(request: Request) -> HTTPResponse:
    actor = request.ctx.staff.username
    try:
        filters = _audit_filters(request)
        return await csv_download(lambda out: audit.export_csv(out, filters, actor=actor), "audit-log")
    except AuditError:
        return response.text(console_text(request, "error_audit_filter"), status=400)


async def _accounts_page(request: Request, *, error: Optional[str], status: int) -> HTTPResponse:
    listed = await asyncio.to_thread(accounts.list_accounts)
    return page(request, "accounts.html", accounts=listed, error=error, done=request.args.get("done"),
                now=utcnow(), status=status, here=ACCOUNTS_PATH)


def _audit_filters(request: Request) -> AuditFilters:
    """The filters in the address; AuditError for a date or action the log does not know."""
    since, until = audit.period(request.args.get("since"), request.args.get("until"))
    action = (request.args.get("action") or "").strip()
    return AuditFilters(actor=(request.args.get("actor") or "").strip() or None,
                        action=audit.parse_action(action) if action else None, since=since, until=until)


def _account_problem(request: Request, problem: AccountError) -> str:
    """tracking.accounts explains in technical English: staff read the catalogue's text for its kind."""
    return console_text(request, f"account_error_{problem.reason}")
