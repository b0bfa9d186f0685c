"""Staff scoped to organisations, over HTTP: a member of one organisation gets nothing of another's
requests from any console route (listed from the app itself), an administrator sees all, and the
audit log holds what each did. Accounts are made as operators make them: `make staff-user` with the
password on standard input.

Runs the real web app (no Rasa needed: the FAQ's columns are checked, not the assistant's answers).
Expected texts come from the catalogue (data/texts/console.yml).
"""
from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone
from typing import Dict, List
from urllib.parse import quote

import pytest

from console_browser import Browser, console_routes
from knowledge.loading import load_knowledge_base
from knowledge.texts import text
from tracking import accounts, audit, service
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork
from e2e_servers import ROOT
from web_app_server import STAFF_PASSWORD, migrated_sqlite_url, running_web_app

pytestmark = pytest.mark.e2e
OPERATOR = operator("test")
# Another organisation's request: none of this may reach a CESI member.
ACTA = dict(organization="acta", right="erasure", name="Anna Acta", email="anna.acta@example.org",
            description="the secret acta story", language="fr", channel="test")
CESI = dict(organization="cesi", right="access", name="Carl Cesi", email="carl.cesi@example.com",
            description="my cesi story", language="en", channel="test")


def make_staff_user(url: str, name: str, org: str = "", admin: bool = False) -> subprocess.CompletedProcess:
    """`make staff-user NAME=… ORG=… [ADMIN=1]`, the password on standard input (not a terminal)."""
    variables = [f"NAME={name}"] + ([f"ORG={org}"] if org else []) + (["ADMIN=1"] if admin else [])
    return subprocess.run(["make", "--no-print-directory", "staff-user", *variables], input=STAFF_PASSWORD + "\n",
                          text=True, cwd=ROOT, capture_output=True, timeout=300,
                          env={**os.environ, "TRACKING_DB_URL": url})


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = migrated_sqlite_url(tmp_path_factory.mktemp("scope"))
    for name, org, admin in (("carla", "cesi", False), ("ada", "", True)):
        made = make_staff_user(url, name, org, admin)
        assert made.returncode == 0, made.stderr
    uow = UnitOfWork(url=url)
    acta = service.submit_request(**ACTA, uow=uow, now=datetime.now(timezone.utc) - timedelta(days=90))  # overdue
    cesi = service.submit_request(**CESI, uow=uow)
    with running_web_app(url) as base:
        yield base, url, cesi.reference, acta.reference


def signed_in(base: str, username: str) -> Browser:
    browser = Browser(base, "en-GB")
    status, headers, _ = browser.sign_in(username)
    assert status == 303 and headers["Location"] == "/console/requests", username
    return browser


def leaks(body: str, acta_reference: str) -> List[str]:
    shown = html.unescape(body)
    return [value for value in (acta_reference, ACTA["name"], ACTA["email"], ACTA["description"]) if value in shown]


def test_make_staff_user_reads_the_password_from_standard_input_and_the_account_signs_in(site):
    base, url, cesi, acta = site
    browser = signed_in(base, "carla")
    _status, _headers, queue = browser.request("GET", "/console/requests")
    assert cesi in queue and leaks(queue, acta) == []
    refused = make_staff_user(url, "mallory", "nowhere")
    assert refused.returncode != 0 and "unknown organisation nowhere" in refused.stderr


def probes(acta_reference: str) -> Dict[str, tuple]:
    """Every console route, aimed at the other organisation's request wherever a route takes one."""
    forms = {"/status": {"status": "in_progress", "note": "mine now"},
             "/faq": {"question": "Who is the DPO?", "organization": "acta"},
             "/accounts": {"username": "evil", "password": STAFF_PASSWORD, "organization": "acta", "admin": "1"},
             "/accounts/carla": {"action": "access", "organization": ["cesi", "acta"], "admin": "1"}}
    routes = console_routes({"reference": acta_reference, "username": "carla"})
    return {f"{method} {path}": (method, path, next((form for end, form in forms.items() if path.endswith(end)), {}))
            for method, path in routes}


ROUTE_NAMES = sorted(probes("RR-AAAA-BBBB"))


def test_the_probes_cover_the_console():
    assert {"GET /console/requests", "GET /console/requests.csv", "POST /console/faq", "GET /console/audit",
            "GET /console/requests/RR-AAAA-BBBB", "POST /console/requests/RR-AAAA-BBBB/status",
            "POST /console/accounts/carla", "POST /console/logout"} <= set(ROUTE_NAMES)


@pytest.mark.parametrize("route", ROUTE_NAMES)
def test_a_member_of_one_organisation_gets_nothing_of_anothers_request_from_any_route(site, route):
    base, url, _cesi, acta = site
    method, path, form = probes(acta)[route.replace("RR-AAAA-BBBB", acta)]
    browser = signed_in(base, "carla")
    if method == "POST":
        form = {**form, "csrf_token": browser.csrf_token("/console/requests")}
    status, _headers, body = browser.request(method, path, form if method == "POST" else None)
    if acta in path:  # the request's own address: exactly what an unknown reference gets
        assert status == 404
        unknown_status, _, unknown = browser.request(method, path.replace(acta, "RR-ZZZZ-ZZZZ"),
                                                     form if method == "POST" else None)
        assert unknown_status == 404 and body.replace(acta, "RR-ZZZZ-ZZZZ") == unknown
        body = body.replace(acta, "")
    if "/accounts" in path or "/audit" in path:
        assert status == 403
    assert leaks(body, acta) == []
    record = service.get_request(acta, caller=OPERATOR, uow=UnitOfWork(url=url))
    assert record.status.value == "received" and len(record.history) == 1
    assert {(a.username, a.is_admin, a.organizations) for a in _accounts(url)} == {
        ("ada", True, ()), ("carla", False, ("cesi",))}


@pytest.mark.parametrize("query", ["organization=acta", "status=received&organization=acta", "overdue=1",
                                   "search=REFERENCE", "search=EMAIL"])
def test_no_filter_or_search_reaches_another_organisation(site, query):
    base, _url, _cesi, acta = site
    browser = signed_in(base, "carla")
    typed = {"REFERENCE": (acta, "RR-ZZZZ-ZZZZ"), "EMAIL": (ACTA["email"], "nobody.known@example.org")}
    for path in ("/console/requests", "/console/requests.csv"):
        asked = query
        for placeholder, (value, _) in typed.items():
            asked = asked.replace(placeholder, value)
        status, _headers, body = browser.request("GET", f"{path}?{asked}")
        assert status == 200, path
        for placeholder, (value, nobodys) in typed.items():
            if placeholder in query:  # the search box shows what was typed: exactly as for what nobody has
                unknown = browser.request("GET", f"{path}?{query.replace(placeholder, nobodys)}")[2]
                for shown, instead in ((value, nobodys), (quote(value), quote(nobodys))):  # as typed, as in a link
                    body = body.replace(shown, instead)
                assert body == unknown
        assert leaks(body, acta) == [], path


def test_the_faq_has_a_column_for_the_members_organisations_only(site):
    base, _url, _cesi, _acta = site
    browser = signed_in(base, "carla")
    _status, _headers, form = browser.request("GET", "/console/faq")
    assert re.findall(r'<option value="([a-z]+)"', form) == ["all", "cesi"]
    token = browser.csrf_token("/console/faq")
    for chosen in ("all", "acta"):
        _status, _headers, page = browser.request("POST", "/console/faq", {"csrf_token": token, "question": "DPO?",
                                                                          "organization": chosen})
        assert re.findall(r'data-organization="([a-z]+)"', page) == (["cesi"] if chosen == "all" else [])
    admin = signed_in(base, "ada")
    _status, _headers, everything = admin.request("POST", "/console/faq", {
        "csrf_token": admin.csrf_token("/console/faq"), "question": "DPO?", "organization": "all"})
    assert len(re.findall(r'data-organization="([a-z]+)"', everything)) == len(load_knowledge_base().organizations)


def test_an_administrator_sees_every_organisation(site):
    base, _url, cesi, acta = site
    browser = signed_in(base, "ada")
    _status, _headers, queue = browser.request("GET", "/console/requests")
    assert cesi in queue and acta in queue and ACTA["name"] in html.unescape(queue)
    status, _headers, page = browser.request("GET", f"/console/requests/{acta}")
    assert status == 200 and ACTA["email"] in page
    _status, _headers, exported = browser.request("GET", "/console/requests.csv")
    assert {row["reference"] for row in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))} == {cesi, acta}
    assert browser.request("GET", "/console/accounts")[0] == 200
    assert browser.request("GET", "/console/audit")[0] == 200


def test_the_queue_counts_within_the_scope_and_shows_days_left_in_colour(site):
    base, _url, cesi, acta = site
    names = {slug: organization.name for slug, organization in load_knowledge_base().organizations.items()}
    _status, _headers, member = signed_in(base, "carla").request("GET", "/console/requests")
    counts = member.split('id="counts"')[1].split("</table>")[0]
    assert re.findall(r'<tr data-organization="([a-z]+)">', counts) == ["cesi"]
    assert html.escape(names["acta"]) not in counts
    _status, _headers, admin = signed_in(base, "ada").request("GET", "/console/requests")
    counts = admin.split('id="counts"')[1].split("</table>")[0]
    assert len(re.findall(r'<tr data-organization="([a-z]+)">', counts)) == len(names)
    acta_row = re.search(r'<tr data-organization="acta">(.*?)</tr>', counts).group(1)
    assert re.findall(r"<td>(\d+)</td>", acta_row)[0] == "1"  # received, the first status column
    fresh = re.search(rf'data-reference="{cesi}".*?</tr>', admin, re.S).group()
    late = re.search(rf'data-reference="{acta}".*?</tr>', admin, re.S).group()
    assert 'class="due-badge due-on_time"' in fresh and text("console.days_left", "en", days=29) in fresh
    assert 'class="due-badge due-overdue"' in late
    for band in ("on_time", "under_10", "under_5", "overdue"):
        assert text(f"console.band_{band}", "en") in admin  # the legend


def test_a_search_finds_by_reference_or_whole_email_within_the_scope(site):
    base, _url, cesi, acta = site
    browser = signed_in(base, "carla")
    for search in (cesi.lower(), CESI["email"], CESI["email"].replace("example.com", "EXAMPLE.COM")):
        _status, _headers, page = browser.request("GET", f"/console/requests?search={search}")
        assert re.findall(r'data-reference="([^"]+)"', page) == [cesi], search
    _status, _headers, partial = browser.request("GET", "/console/requests?search=carl")
    assert text("console.error_search", "en") in html.unescape(partial)
    assert re.findall(r'data-reference="([^"]+)"', partial) == []


def test_the_request_page_says_whether_the_email_was_verified(site):
    base, _url, cesi, _acta = site
    _status, _headers, page = signed_in(base, "carla").request("GET", f"/console/requests/{cesi}")
    assert re.search(r'id="email-verified"[^>]*>([^<]*)<', page).group(1) == text("console.email_not_verified", "en")


def test_a_member_sees_no_administrators_links(site):
    base, _url, _cesi, _acta = site
    _status, _headers, member = signed_in(base, "carla").request("GET", "/console/requests")
    _status, _headers, admin = signed_in(base, "ada").request("GET", "/console/requests")
    for link in ('href="/console/accounts"', 'href="/console/audit"'):
        assert link not in member and link in admin


def test_the_audit_log_holds_what_each_did_and_administrators_read_and_export_it(site):
    base, url, cesi, _acta = site
    carla = signed_in(base, "carla")
    carla.request("GET", f"/console/requests/{cesi}")
    token = carla.csrf_token("/console/requests")
    carla.request("POST", f"/console/requests/{cesi}/status", {"csrf_token": token, "status": "identity_requested",
                                                               "note": f"Asked {CESI['name']} for an ID"})
    carla.request("GET", "/console/requests.csv?organization=cesi")
    carla.request("GET", f"/console/requests?search={CESI['email']}")
    carla.request("POST", "/console/logout", {"csrf_token": token})
    Browser(base).sign_in("carla", "not the password")

    logged = [(row.action.value, row.organization, row.reference, row.rows, row.detail)
              for row in reversed(audit.entries(audit.AuditFilters(actor="carla"), uow=UnitOfWork(url=url)))]
    for expected in [("view_request", "cesi", cesi, None, None),
                     ("change_status", "cesi", cesi, None, "received -> identity_requested"),
                     ("export", "cesi", None, 1, "requests as CSV (organization=cesi)"),
                     ("search", None, None, 1, "search by e-mail"),
                     ("sign_out", None, None, None, None),
                     ("sign_in_failed", None, None, None, "wrong password")]:
        assert expected in logged
    assert logged[0][0] == "sign_in"

    admin = signed_in(base, "ada")
    _status, _headers, page = admin.request("GET", "/console/audit?actor=carla&action=change_status")
    assert re.findall(r'<tr data-action="([a-z_]+)">', page) == ["change_status"]
    assert text("console.audit_action_change_status", "en") in page
    status, headers, exported = admin.request("GET", "/console/audit.csv?actor=carla")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert len(rows) == len(logged) and {row["actor"] for row in rows} == {"carla"}
    everything = exported + page
    for personal in (CESI["name"], CESI["email"], CESI["description"], "Asked"):
        assert personal not in everything
    assert admin.request("GET", "/console/audit?since=yesterday")[0] == 200  # a bad date: a message, no rows
    exports = audit.entries(audit.AuditFilters(actor="ada", action="export"), uow=UnitOfWork(url=url))
    assert exports and "audit log" in exports[0].detail


def test_an_administrator_creates_changes_and_disables_accounts_in_the_console(site):
    base, url, cesi, acta = site
    admin = signed_in(base, "ada")
    token = admin.csrf_token("/console/accounts")
    status, headers, _ = admin.request("POST", "/console/accounts", {
        "csrf_token": token, "username": "nora", "password": STAFF_PASSWORD, "organization": ["acta"]})
    assert status == 303 and headers["Location"] == "/console/accounts?done=created"
    nora = signed_in(base, "nora")
    _status, _headers, queue = nora.request("GET", "/console/requests")
    assert acta in queue and cesi not in queue

    status, _headers, refused = admin.request("POST", "/console/accounts", {
        "csrf_token": token, "username": "nemo", "password": STAFF_PASSWORD})  # no organisation, not admin
    assert status == 400 and text("console.account_error_no_organization", "en") in html.unescape(refused)
    assert admin.request("POST", "/console/accounts/nora", {"csrf_token": token, "action": "access",
                                                            "organization": ["cesi"]})[0] == 303
    _status, _headers, queue = nora.request("GET", "/console/requests")  # the same session, the new scope
    assert cesi in queue and acta not in queue
    assert nora.request("GET", f"/console/requests/{acta}")[0] == 404
    assert admin.request("POST", "/console/accounts/nora", {"csrf_token": token, "action": "disable"})[0] == 303
    assert nora.request("GET", "/console/requests")[0] == 302  # signed out for good
    status, _headers, last = admin.request("POST", "/console/accounts/ada", {"csrf_token": token, "action": "disable"})
    assert status == 409 and text("console.account_error_last_admin", "en") in html.unescape(last)
    changes = [row.detail for row in audit.entries(audit.AuditFilters(actor="ada", action="manage_account"),
                                                   uow=UnitOfWork(url=url))]
    assert changes == ["disable nora", "set the access of nora: organisations cesi",
                       "create nora: organisations acta"]


def _accounts(url: str):
    return accounts.list_accounts(uow=UnitOfWork(url=url))
