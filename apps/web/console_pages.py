"""What every signed-in console page shares: the page itself in the staff member's language, the
organisations they may see, the remembered language, CSV downloads.

Used by apps.web.console (requests, FAQ) and apps.web.console_admin (accounts, audit log).
"""
from __future__ import annotations

import asyncio
import io
from datetime import datetime, timezone
from typing import Any, Callable, List, Optional, TextIO, Union

from sanic import Request, response
from sanic.response import HTTPResponse

from knowledge.loading import knowledge_base, load_rights
from knowledge.model import Organization
from knowledge.texts import text
from apps.web.languages import LANGUAGE_COOKIE, chosen_language, request_language, switch_links
from apps.web.page_templates import render
from apps.web.staff_auth import CONSOLE_TEXTS, CSRF_FIELD, set_cookie
from tracking.models import AuditAction, Status

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


async def remember_language(request: Request, resp: HTTPResponse) -> None:
    """The language picked with the FR | EN link (`?lang=`) stays picked on the next pages."""
    language = chosen_language(request)
    if language:
        set_cookie(resp, LANGUAGE_COOKIE, language, secure=request.app.ctx.settings.secure_cookies,
                   max_age=LANGUAGE_COOKIE_SECONDS)


def page(request: Request, template: str, *, status: int = 200, here: Optional[str] = None,
         **context: Any) -> HTTPResponse:
    """A page for the signed-in staff member: their name, CSRF token, role and organisations."""
    identity = request.ctx.staff
    html = render_console(request, template, here or request.path, staff=identity.username,
                          is_admin=identity.is_admin, csrf_token=identity.csrf_token, csrf_field=CSRF_FIELD,
                          organizations=visible_organizations(request),
                          organization_names={org.slug: org.name for org in knowledge_base().organizations.values()},
                          rights=load_rights(), **context)
    return response.html(html, status=status)


def visible_organizations(request: Request) -> List[Organization]:
    """The organisations the signed-in member works for (all of them for an administrator), by name."""
    scope = request.ctx.staff.scope
    return [organization for organization in knowledge_base().organizations_by_name()
            if scope.allows(organization.slug)]


def render_console(request: Request, template: str, here: str, **context: Any) -> str:
    """A console page in the staff member's language, with the links to it in each language."""
    language = request_language(request)

    def status_name(status: Union[Status, str]) -> str:
        return text(f"{CONSOLE_TEXTS}.status_{Status(status).value}", language)

    def action_name(action: Union[AuditAction, str]) -> str:
        return text(f"{CONSOLE_TEXTS}.audit_action_{AuditAction(action).value}", language)

    # Each language's link is named in that language, so it can be found by someone who reads only it.
    languages = [(code, text(f"{CONSOLE_TEXTS}.language_name", code), url) for code, url in switch_links(request, here)]
    return render(template, surface=CONSOLE_TEXTS, lang=language, languages=languages, status_name=status_name,
                  action_name=action_name, **context)


async def csv_download(write: Callable[[TextIO], object], name: str) -> HTTPResponse:
    """What `write` writes (in a thread: it reads the database), as a CSV attachment `<name>-<UTC time>.csv`
    in UTF-8 with a BOM: spreadsheets then read accented names correctly. `write`'s errors propagate."""
    out = io.StringIO()
    await asyncio.to_thread(write, out)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return response.raw(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'})
