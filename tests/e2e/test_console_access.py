"""The staff console answers nothing without a signed-in session, and no form without its CSRF token;
it speaks the staff member's language, and the widget gets its words from the same catalogue.

Runs the real web app over HTTP (no Rasa needed). The route list comes from the app itself, so a
console route added later is covered without editing this file. Expected texts are read from the
catalogue (data/texts/), never written here.
"""
from __future__ import annotations

import html
import json
import re
import string
from datetime import datetime, timedelta, timezone

import pytest

from console_browser import Browser, console_routes
from knowledge.loading import load_knowledge_base
from knowledge.texts import catalogue, text
from tracking import service
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork
from web_app_server import STAFF_PASSWORD, create_staff_user, migrated_sqlite_url, running_web_app

pytestmark = pytest.mark.e2e
SAMPLE_PARAMETERS = {"reference": "RR-AAAA-BBBB", "username": "someone"}
OPERATOR = operator("test")  # the command line's access: every organisation


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    url = migrated_sqlite_url(tmp_path_factory.mktemp("console"))
    create_staff_user(url, "alice", admin=True)
    create_staff_user(url, "bob", organizations=["cesi"])
    record = service.submit_request(organization="cesi", right="access", name="Jane Doe",
                                    email="jane@example.com", language="en", channel="test",
                                    uow=UnitOfWork(url=url))
    # Filed three months ago and never answered: overdue.
    service.submit_request(organization="acta", right="erasure", name="Old Request", email="old@example.com",
                           language="fr", channel="test", uow=UnitOfWork(url=url),
                           now=datetime.now(timezone.utc) - timedelta(days=90))
    with running_web_app(url) as base:
        yield base, url, record.reference


ROUTES = console_routes(SAMPLE_PARAMETERS)


def test_the_route_list_covers_the_console():
    assert {("GET", "/console/requests"), ("GET", "/console/requests.csv"), ("GET", "/console/faq"),
            ("POST", "/console/faq"), ("POST", "/console/logout"),
            ("GET", "/console/requests/RR-AAAA-BBBB"), ("POST", "/console/requests/RR-AAAA-BBBB/status"),
            ("GET", "/console/accounts"), ("POST", "/console/accounts"), ("POST", "/console/accounts/someone"),
            ("GET", "/console/audit"), ("GET", "/console/audit.csv")} <= set(ROUTES)


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_console_route_refuses_a_visitor_without_a_session(console, method, path):
    base, _url, reference = console
    path = path.replace("RR-AAAA-BBBB", reference)
    status, headers, body = Browser(base).request(method, path, {} if method == "POST" else None)
    if method == "GET" and not path.endswith(".csv"):
        assert status == 302 and headers["Location"].startswith("/console/login?next=")
    else:
        assert status == 401
    assert "Jane Doe" not in body and reference not in body


def test_a_forged_session_cookie_opens_nothing(console):
    base, _url, _reference = console
    browser = Browser(base)
    browser.opener.addheaders = [("Cookie", "staff_session=made-up-token")]
    assert browser.request("GET", "/console/requests")[0] == 302


def test_sign_in_sets_an_httponly_samesite_cookie_and_opens_the_queue(console):
    base, _url, reference = console
    browser = Browser(base)
    status, headers, _body = browser.sign_in("alice")
    assert status == 303 and headers["Location"] == "/console/requests"
    session_cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("staff_session="))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in session_cookie.split(";")[1:]}
    assert "httponly" in attributes and attributes["samesite"].lower() == "samesite=strict"
    assert attributes["path"].lower() == "path=/console"
    status, headers, body = browser.request("GET", "/console/requests")
    assert status == 200 and reference in body and "Jane Doe" in body
    assert headers["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_a_wrong_password_or_unknown_user_is_refused_the_same_way(console):
    base, _url, _reference = console
    wrong = Browser(base).sign_in("alice", "not the password")
    unknown = Browser(base).sign_in("mallory", "not the password")
    assert wrong[0] == unknown[0] == 401
    refusal = text("console.login_failed", "fr")  # no Accept-Language: the default language
    assert refusal in html.unescape(wrong[2]) and refusal in html.unescape(unknown[2])


def test_sign_in_without_its_csrf_token_is_refused(console):
    base, _url, _reference = console
    browser = Browser(base)
    browser.csrf_token("/console/login")  # gets the cookie, but the form below omits the token
    status, _headers, _body = browser.request("POST", "/console/login", {"username": "alice",
                                                                          "password": STAFF_PASSWORD})
    assert status == 403
    assert not any(c.name == "staff_session" for c in browser.cookies)


def test_a_signed_in_form_without_the_sessions_csrf_token_changes_nothing(console):
    base, url, reference = console
    browser = Browser(base)
    browser.sign_in("bob")
    for token in (None, "wrong-token"):
        form = {"status": "in_progress", "note": "forged"}
        if token:
            form["csrf_token"] = token
        assert browser.request("POST", f"/console/requests/{reference}/status", form)[0] == 403
    assert service.get_request(reference, caller=OPERATOR, uow=UnitOfWork(url=url)).status.value == "received"
    token = browser.csrf_token(f"/console/requests/{reference}")
    status, headers, _ = browser.request("POST", f"/console/requests/{reference}/status",
                                         {"status": "in_progress", "note": "ID checked", "csrf_token": token})
    assert status == 303
    record = service.get_request(reference, caller=OPERATOR, uow=UnitOfWork(url=url))
    assert record.status.value == "in_progress"
    assert (record.history[-1].by, record.history[-1].note) == ("bob", "ID checked")


def test_logout_ends_the_session_for_good(console):
    base, _url, _reference = console
    browser = Browser(base)
    browser.sign_in("alice")
    stolen = next(c.value for c in browser.cookies if c.name == "staff_session")
    token = browser.csrf_token("/console/requests")
    assert browser.request("POST", "/console/logout", {"csrf_token": token})[0] == 303
    replay = Browser(base)
    replay.opener.addheaders = [("Cookie", f"staff_session={stolen}")]
    assert replay.request("GET", "/console/requests")[0] == 302


def test_the_sign_in_page_does_not_redirect_elsewhere(console):
    base, _url, _reference = console
    browser = Browser(base)
    token = browser.csrf_token("/console/login?next=https://evil.example/")
    status, headers, _ = browser.request("POST", "/console/login", {"csrf_token": token, "username": "alice",
                                                                    "password": STAFF_PASSWORD,
                                                                    "next": "https://evil.example/"})
    assert status == 303 and headers["Location"] == "/console/requests"


def test_the_queue_highlights_overdue_requests_and_filters_them(console):
    base, _url, reference = console
    browser = Browser(base)
    browser.sign_in("alice")
    _status, _headers, everything = browser.request("GET", "/console/requests")
    # The organisation is shown by its name (from its knowledge file), not its slug.
    name = html.escape(load_knowledge_base().organizations["acta"].name)
    assert re.search(rf'<tr class="overdue" data-reference="RR-[^"]+">\s*<td>.*?</td>\s*<td>{re.escape(name)}</td>',
                     everything, re.S)
    assert re.search(rf'<tr class="" data-reference="{reference}"', everything)
    _status, _headers, overdue = browser.request("GET", "/console/requests?overdue=1")
    assert "Old Request" in overdue and "Jane Doe" not in overdue
    _status, _headers, by_right = browser.request("GET", "/console/requests?right=access")
    assert "Jane Doe" in by_right and "Old Request" not in by_right
    _status, headers, csv = browser.request("GET", "/console/requests.csv?overdue=1")
    assert headers["Content-Type"].startswith("text/csv") and "attachment" in headers["Content-Disposition"]
    assert "old@example.com" in csv and "jane@example.com" not in csv


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)))


def english_left_in(page: str) -> set:
    """The English console texts (those that differ in French) found in a page's visible text."""
    shown, found = visible_text(page), set()
    for key, by_language in catalogue().items():
        # language_name: each language's link is named in that language, "English" included.
        if not key.startswith("console.") or key == "console.language_name":
            continue
        french = by_language["fr"]
        for _literal, *_ in string.Formatter().parse(by_language["en"]):
            chunk = _literal.strip(" :,.()")
            if chunk and chunk not in french and re.search(rf"(?<!\w){re.escape(chunk)}(?!\w)", shown):
                found.add(f"{key}: {chunk}")
    return found


def html_language(page: str) -> str:
    return re.search(r'<html lang="([^"]+)">', page).group(1)


def language_link(page: str, lang: str) -> str:
    return html.unescape(re.search(rf'<a href="([^"]+)" lang="{lang}"', page).group(1))


@pytest.mark.parametrize("accept_language,lang", [("fr-FR,fr;q=0.9", "fr"), ("en-GB", "en"),
                                                  ("de-DE,de;q=0.9,en;q=0.8,fr;q=0.5", "en"),
                                                  ("en;q=0.3, fr-CA;q=0.7", "fr"), ("de", "fr"), (None, "fr")])
def test_the_console_speaks_the_browsers_first_language_it_knows(console, accept_language, lang):
    base, _url, _reference = console
    browser = Browser(base, accept_language)
    status, _headers, page = browser.request("GET", "/console/login")
    assert status == 200 and html_language(page) == lang
    assert text("console.sign_in_title", lang) in visible_text(page)
    browser.sign_in("alice")
    _status, _headers, queue = browser.request("GET", "/console/requests")
    assert html_language(queue) == lang
    assert text("console.queue_heading", lang) in visible_text(queue)
    assert text("console.status_received", lang) in visible_text(queue)


def test_the_language_link_switches_the_console_and_the_choice_is_remembered(console):
    base, _url, reference = console
    browser = Browser(base, "fr-FR,fr;q=0.9")
    browser.sign_in("alice")
    _status, _headers, french = browser.request("GET", "/console/requests?overdue=1")
    assert html_language(french) == "fr"
    switch = language_link(french, "en")
    assert switch.startswith("/console/requests?") and "overdue=1" in switch  # same page, same filters
    status, headers, english = browser.request("GET", switch)
    assert status == 200 and html_language(english) == "en"
    assert text("console.queue_heading", "en") in visible_text(english)
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("console_lang="))
    assert "path=/console" in cookie.lower()
    # The browser still prefers French; the choice wins on every later page.
    _status, _headers, later = browser.request("GET", f"/console/requests/{reference}")
    assert html_language(later) == "en" and text("console.history", "en") in visible_text(later)
    back = language_link(later, "fr")
    assert html_language(browser.request("GET", back)[2]) == "fr"
    assert html_language(browser.request("GET", "/console/faq")[2]) == "fr"


def test_no_english_is_left_in_the_french_console(console):
    base, _url, _reference = console
    browser = Browser(base, "fr-FR,fr;q=0.9")
    _status, _headers, login = browser.request("GET", "/console/login")
    refused = browser.sign_in("alice", "not the password")[2]
    browser.sign_in("alice")
    _status, _headers, queue = browser.request("GET", "/console/requests")
    old = re.search(r'<tr class="overdue" data-reference="([^"]+)"', queue).group(1)
    token = browser.csrf_token(f"/console/requests/{old}")
    # A rejection without its reason: the request service refuses, in its own English; staff must not see it.
    status, _headers, refusal = browser.request("POST", f"/console/requests/{old}/status",
                                                {"status": "rejected", "csrf_token": token})
    assert status == 409 and text("console.error_note", "fr") in visible_text(refusal)
    assert language_link(refusal, "en") == f"/console/requests/{old}?lang=en"  # the page's address, not the POST's
    pages = {"login": login, "refused sign-in": refused, "queue": queue, "refusal": refusal,
             "request": browser.request("GET", f"/console/requests/{old}")[2],
             "bad filter": browser.request("GET", "/console/requests?status=lost")[2],
             "faq": browser.request("GET", "/console/faq")[2],
             "missing request": browser.request("GET", "/console/requests/RR-ZZZZ-ZZZZ")[2]}
    for name, page in pages.items():
        assert html_language(page) == "fr", name
        assert english_left_in(page) == set(), name
    assert text("console.error_status", "fr") in visible_text(pages["bad filter"])
    assert text("console.no_request", "fr", reference="RR-ZZZZ-ZZZZ") in visible_text(pages["missing request"])


def test_the_check_for_english_finds_english(console):
    """The test above could not pass by finding nothing: the English console is caught."""
    base, _url, _reference = console
    _status, _headers, english = Browser(base, "en-GB").request("GET", "/console/login")
    assert "console.sign_in_title: Sign in" in english_left_in(english)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_plain_answers_are_in_the_visitors_language(console, lang):
    base, _url, _reference = console
    browser = Browser(base, {"fr": "fr-FR,fr;q=0.9", "en": "en-GB"}[lang])
    status, _headers, body = browser.request("POST", "/console/logout", {})
    assert (status, body) == (401, text("console.sign_in_first", lang))
    status, _headers, body = browser.request("GET", "/no-such-page")
    assert (status, body) == (404, text("console.not_found", lang))
    browser.sign_in("alice")
    status, _headers, body = browser.request("POST", "/console/faq", {"question": "?"})
    assert (status, body) == (403, text("console.form_expired", lang))


@pytest.mark.parametrize("asked,lang", [("fr", "fr"), ("en", "en"), ("en-GB", "en"), ("de", "fr"), ("", "fr")])
def test_the_widget_gets_its_words_from_the_catalogue_in_the_pages_language(console, asked, lang):
    base, _url, _reference = console
    status, headers, body = Browser(base).request("GET", f"/widget/texts?lang={asked}")
    answer = json.loads(body)
    assert status == 200 and answer["language"] == lang
    expected = {key[len("web.widget_"):]: by_language[lang] for key, by_language in catalogue().items()
                if key.startswith("web.widget_")}
    assert answer["texts"] == expected and {"open", "title", "send", "unreachable"} <= set(expected)
    assert headers["Access-Control-Allow-Origin"] == "*"  # pages on the organisations' own sites load it


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_demo_page_is_written_in_its_language(console, lang):
    base, _url, _reference = console
    status, _headers, page = Browser(base).request("GET", f"/demo/cesi?lang={lang}")
    assert status == 200 and html_language(page) == lang
    other = "en" if lang == "fr" else "fr"
    for key in ("demo_organization_intro", "demo_pages", "demo_embed"):
        assert text(f"web.{key}", lang) in visible_text(page)
        assert text(f"web.{key}", other) not in visible_text(page)
    assert f'data-lang="{lang}"' in page
    _status, _headers, unknown = Browser(base).request("GET", f"/demo/nowhere?lang={lang}")
    assert text("web.demo_unknown_organization", lang, slug="nowhere") in visible_text(unknown)
