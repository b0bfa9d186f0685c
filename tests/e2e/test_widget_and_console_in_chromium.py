"""The chat widget and the staff console in real headless Chromium, against the real assistant.

What a visitor does on a demo page (ask, click a button, reload, file a request with the code mailed to
them, read from the tests' mail sink) and what staff then see in the console. A screenshot of each page goes to var/screenshots/. The widget's and the console's
own words are read from the catalogue (data/texts/); the tests of the language alone need no assistant.
"""
from __future__ import annotations

import re
import uuid

import pytest

from browser import chromium, screenshot
from knowledge.texts import text
from web_app_server import STAFF_PASSWORD, create_staff_user, migrated_sqlite_url, running_web_app

pytestmark = pytest.mark.e2e
XSS = "<img src=x onerror=alert(1)>"
REFERENCE = re.compile(r"\bRR-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
REPLY_TIMEOUT_MS = 60_000
BROWSER_LOCALES = {"fr": "fr-FR", "en": "en-GB"}  # Chromium's Accept-Language follows its locale


@pytest.fixture(scope="module")
def web(assistant, tracking_db_url):
    create_staff_user(tracking_db_url, "claire", admin=True)
    with running_web_app(tracking_db_url, rasa_url=assistant.url) as base:
        yield base


@pytest.fixture(scope="module")
def web_without_assistant(tmp_path_factory):
    """The web app alone (Rasa unreachable): enough for the widget's and the console's own words."""
    with running_web_app(migrated_sqlite_url(tmp_path_factory.mktemp("web-alone"))) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=BROWSER_LOCALES["en"])
    page = context.new_page()
    page.dialogs = []  # any alert() would be an XSS that ran
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def open_widget(page, url: str) -> None:
    page.goto(url)
    page.locator(".pa-launcher").click()
    page.locator(".pa-input").wait_for(state="visible")


def ask(page, text: str):
    """Types `text` into the widget, presses Enter, and returns the texts of the bot's new messages."""
    before = page.locator(".pa-bot").count()
    page.locator(".pa-input").fill(text)
    page.locator(".pa-input").press("Enter")
    return wait_for_replies(page, before)


def wait_for_replies(page, before: int):
    page.wait_for_function(
        """(before) => {
            const host = document.querySelector('.privacy-assistant-host').shadowRoot;
            return host.querySelectorAll('.pa-bot').length > before && host.querySelector('.pa-typing').hidden;
        }""", arg=before, timeout=REPLY_TIMEOUT_MS)
    return page.locator(".pa-bot").all_inner_texts()[before:]


def click_choice(page, title: str):
    before = page.locator(".pa-bot").count()
    page.locator(".pa-choice", has_text=title).last.click()
    return wait_for_replies(page, before)


def sign_in(page, base: str, next_path: str = "/console/requests") -> None:
    page.goto(f"{base}{next_path}")
    assert "/console/login" in page.url
    page.fill("#username", "claire")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_path}*")


def test_a_question_on_a_demo_page_gets_a_cited_answer_and_its_passage(web, page):
    open_widget(page, f"{web}/demo/cesi?lang=en")
    replies = ask(page, "Who is the data protection officer?")
    assert any("CESI" in reply for reply in replies)
    citation = page.locator(".pa-bot .pa-cite").last
    assert citation.inner_text().startswith("Source:")
    assert page.locator(".pa-bot a[href='mailto:dpo@cesi.fr']").count() >= 1  # addresses are links
    passage = click_choice(page, "Show the passage")
    assert passage and "section" in passage[0] and "“" in passage[0]
    assert page.locator(".pa-user").last.inner_text().endswith("Show the passage")
    screenshot(page, "widget-cited-answer")


def test_a_page_without_organisation_offers_the_list_and_a_button_chooses(web, page):
    open_widget(page, f"{web}/demo?lang=fr")
    replies = ask(page, "Combien de temps gardez-vous mon CV ?")
    assert any("organisme" in reply.lower() for reply in replies)
    buttons = page.locator(".pa-bot").last.locator(".pa-choice").all_inner_texts()
    assert {"Akteos", "CESI", "ACTA PREVENTION"} <= set(buttons)
    answer = click_choice(page, "ACTA PREVENTION")
    assert any("ACTA" in reply and "Source" in reply for reply in answer)
    screenshot(page, "widget-organisation-buttons")


def test_the_conversation_survives_a_reload_in_the_same_tab_only(web, page):
    open_widget(page, f"{web}/demo/akteos?lang=en")
    ask(page, "How long do you keep my data?")
    transcript = page.locator(".pa-log").inner_text()
    page.reload()
    page.locator(".pa-log").wait_for(state="visible")  # the panel reopens as it was
    assert page.locator(".pa-log").inner_text() == transcript
    follow_up = ask(page, "source?")
    assert follow_up and "Akteos" in follow_up[0]  # same conversation on the assistant's side
    other_tab = page.context.new_page()
    other_tab.goto(f"{web}/demo/akteos?lang=en")
    assert other_tab.locator(".pa-bot").count() == 0
    screenshot(page, "widget-after-reload")


def test_the_widget_works_with_the_keyboard_and_on_a_phone(web, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{web}/demo/cartesia")
    page.keyboard.press("Tab")  # the launcher is reachable by Tab (the demo page has links first)
    launcher = page.locator(".pa-launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    assert launcher.get_attribute("aria-expanded") is None or page.locator(".pa-panel").is_visible()
    assert page.evaluate("document.querySelector('.privacy-assistant-host').shadowRoot.activeElement.className") \
        == "pa-input"
    panel = page.locator(".pa-panel").bounding_box()
    assert panel["width"] == 390  # full width on a phone
    assert page.locator(".pa-panel").get_attribute("role") == "dialog"
    assert page.locator(".pa-log").get_attribute("aria-live") == "polite"
    ask(page, "Quels sont mes droits ?")
    screenshot(page, "widget-phone")
    page.keyboard.press("Escape")
    assert not page.locator(".pa-panel").is_visible()
    assert page.evaluate("document.querySelector('.privacy-assistant-host').shadowRoot.activeElement.className") \
        == "pa-launcher"
    context.close()


def test_a_request_filed_in_the_widget_reaches_the_staff_queue_and_markup_stays_inert(web, page, mail):
    email = f"xss.{uuid.uuid4().hex[:8]}@example.com"
    open_widget(page, f"{web}/demo/cesi?lang=en")
    ask(page, "I want to exercise my right to erasure")
    ask(page, XSS)
    summary = ask(page, email)
    assert any(XSS in reply for reply in summary)  # shown literally, as typed
    assert page.locator(".pa-log img").count() == 0
    code_asked = click_choice(page, "Yes") if page.locator(".pa-bot").last.locator(".pa-choice").count() \
        else ask(page, "yes")
    assert any("6-digit code" in reply and email in reply for reply in code_asked)
    screenshot(page, "widget-code-asked")
    first = mail.latest_code(email)
    assert any("new code" in reply for reply in click_choice(page, "Resend the code"))
    code = mail.latest_code(email, count=2)
    if code != first:
        assert any("Tries left: 2" in reply for reply in ask(page, first))
    confirmation = ask(page, code)
    filed = REFERENCE.search("\n".join(confirmation))
    assert filed, confirmation
    reference = filed.group()
    assert reference in mail.wait_for(email, 3)[-1]["Subject"]  # the acknowledgement
    screenshot(page, "widget-request-filed")

    sign_in(page, web)
    row = page.locator(f"tr[data-reference='{reference}']")
    assert row.locator("td").nth(3).inner_text() == XSS
    assert page.locator("table img").count() == 0
    screenshot(page, "console-queue")

    page.select_option("select[name=right]", "erasure")
    page.select_option("select[name=organization]", "cesi")
    page.click(".filters button[type=submit]")
    assert page.locator(f"tr[data-reference='{reference}']").count() == 1
    page.select_option("select[name=organization]", "akteos")
    page.click(".filters button[type=submit]")
    assert page.locator(f"tr[data-reference='{reference}']").count() == 0

    page.goto(f"{web}/console/requests/{reference}")
    assert page.locator("#name").inner_text() == XSS
    assert page.locator("#channel").inner_text() == "web"
    page.select_option("#new-status", "in_progress")
    page.fill("#note", "Identity checked <b>by phone</b>")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{web}/console/requests/{reference}?changed=1")
    assert page.locator("#status").inner_text() == text("console.status_in_progress", "en")
    assert "Identity checked <b>by phone</b>" in page.locator(".history").inner_text()
    assert text("console.history_entry", "en", from_status=text("console.status_received", "en"),
                to_status=text("console.status_in_progress", "en"), by="claire") in page.locator(".history").inner_text()
    screenshot(page, "console-request")

    csv = page.request.get(f"{web}/console/requests.csv?organization=cesi").text()
    line = next(line for line in csv.splitlines() if reference in line)
    assert email in line and "in_progress" in line
    assert page.dialogs == []


def test_staff_ask_once_and_see_every_organisations_answer_with_its_passage(web, page):
    sign_in(page, web, "/console/faq")
    page.fill("#question", "Qui est le délégué à la protection des données ?")
    page.click(".faq-form button[type=submit]")
    answers = page.locator("section.answer")
    answers.first.wait_for()
    assert answers.count() == 5
    cesi = page.locator("section.answer[data-organization=cesi]")
    assert "CESI" in cesi.locator(".reply").first.inner_text()
    assert cesi.locator(".passage").count() >= 1
    assert page.locator(".passage").count() >= 3
    screenshot(page, "console-faq")


def test_staff_sign_out_and_the_console_is_closed_again(web, page):
    sign_in(page, web)
    page.click(".logout button")
    page.wait_for_url(f"{web}/console/login")
    page.goto(f"{web}/console/requests")
    assert "/console/login" in page.url
    screenshot(page, "console-login")


def test_the_typing_indicator_shows_while_the_assistant_works(web, page):
    open_widget(page, f"{web}/demo/acta")
    page.evaluate("""() => {
        const typing = document.querySelector('.privacy-assistant-host').shadowRoot.querySelector('.pa-typing');
        window.typingSeen = false;
        new MutationObserver(() => { if (!typing.hidden) window.typingSeen = true; })
            .observe(typing, {attributes: true, attributeFilter: ['hidden']});
    }""")
    ask(page, "Qui est le responsable du traitement ?")
    assert page.evaluate("window.typingSeen") is True
    assert not page.locator(".pa-typing").is_visible()


def test_when_the_assistant_or_the_web_app_is_down_the_visitor_is_told_and_loses_nothing(browser, tracking_db_url):
    context = browser.new_context()
    page = context.new_page()
    with running_web_app(tracking_db_url, rasa_url="http://127.0.0.1:9") as lonely:
        open_widget(page, f"{lonely}/demo/cesi?lang=fr")
        apology = ask(page, "Combien de temps gardez-vous mes données ?")
        # One message: the label screen readers hear, then the channel's apology, in the page's language.
        assert len(apology) == 1 and apology[0].startswith(text("web.widget_bot", "fr"))
        assert apology[0].endswith(text("channel.service_unavailable", "fr"))
    # The web app itself is gone now: the widget says so and keeps the text typed.
    page.locator(".pa-input").fill("Qui est le DPO ?")
    page.locator(".pa-input").press("Enter")
    page.locator(".pa-notice").wait_for(timeout=REPLY_TIMEOUT_MS)
    assert page.locator(".pa-notice").inner_text().endswith(text("web.widget_unreachable", "fr"))
    assert page.locator(".pa-input").input_value() == "Qui est le DPO ?"
    assert page.locator(".pa-user").last.inner_text().endswith("Combien de temps gardez-vous mes données ?")
    screenshot(page, "widget-service-down")
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_widget_speaks_the_language_of_its_page(web_without_assistant, browser, lang):
    context = browser.new_context(locale=BROWSER_LOCALES["en" if lang == "fr" else "fr"])  # the page decides
    page = context.new_page()
    page.goto(f"{web_without_assistant}/demo/cesi?lang={lang}")
    launcher = page.locator(".pa-launcher")
    assert launcher.inner_text() == text("web.widget_open", lang)
    launcher.click()
    assert page.locator(".pa-panel").get_attribute("aria-label") == text("web.widget_title", lang)
    assert page.locator(".pa-title").inner_text() == text("web.widget_title", lang)
    assert page.locator(".pa-close").get_attribute("aria-label") == text("web.widget_close", lang)
    assert page.locator(".pa-input").get_attribute("placeholder") == text("web.widget_placeholder", lang)
    assert page.locator(".pa-input").get_attribute("aria-label") == text("web.widget_input_label", lang)
    assert page.locator(".pa-send").inner_text() == text("web.widget_send", lang)
    assert page.locator(".pa-typing .pa-visually-hidden").text_content() == text("web.widget_typing", lang)
    ask(page, "?")  # no assistant behind: the apology, in the page's language as nothing typed decides
    assert page.locator(".pa-user .pa-visually-hidden").text_content().strip() == text("web.widget_you", lang)
    assert page.locator(".pa-bot").last.inner_text().endswith(text("channel.service_unavailable", lang))
    screenshot(page, f"widget-{lang}")
    context.close()


def test_staff_switch_the_console_language_and_it_stays_switched(web_without_assistant, browser):
    context = browser.new_context(locale=BROWSER_LOCALES["fr"])
    page = context.new_page()
    page.goto(f"{web_without_assistant}/console/login")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == text("console.sign_in_title", "fr")
    page.click("a[hreflang=en]")
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == text("console.sign_in_title", "en")
    assert page.locator("label[for=username]").inner_text() == text("console.username", "en")
    page.goto(f"{web_without_assistant}/console/requests")  # to the sign-in page, still in English
    assert "/console/login" in page.url and page.locator("html").get_attribute("lang") == "en"
    assert page.locator("button[type=submit]").inner_text() == text("console.sign_in_button", "en")
    screenshot(page, "console-login-switched")
    context.close()


def _stored_sender(page, organization: str = "cesi") -> str:
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('privacy-assistant:{organization}')).sender")


def _is_signed(sender: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_-]{22}\.[0-9]+\.[A-Za-z0-9_-]{43}", sender) is not None


def test_the_conversation_id_comes_from_the_server_and_a_refused_one_is_renewed_without_losing_the_question(web, page):
    open_widget(page, f"{web}/demo/akteos?lang=en")
    ask(page, "Who is the data protection officer?")
    sender = _stored_sender(page, "akteos")
    assert _is_signed(sender)
    # An id the server does not take (expired, forged, or kept from before ids were signed): the widget
    # gets a new one and sends the same question again; the person sees the answer, no error.
    page.evaluate("""() => {
        const state = JSON.parse(sessionStorage.getItem('privacy-assistant:akteos'));
        state.sender = '0f8e4b2a9c1d4e7f8a6b5c3d2e1f0a9b';
        sessionStorage.setItem('privacy-assistant:akteos', JSON.stringify(state));
    }""")
    page.reload()
    page.locator(".pa-log").wait_for(state="visible")
    replies = ask(page, "How long do you keep my data?")
    assert any("Akteos" in reply for reply in replies)
    assert page.locator(".pa-notice").count() == 0
    assert page.locator(".pa-user").last.inner_text().endswith("How long do you keep my data?")
    renewed = _stored_sender(page, "akteos")
    assert _is_signed(renewed) and renewed.split(".")[0] != sender.split(".")[0]


@pytest.mark.parametrize("language,typed", [("en", False), ("fr", False), ("en", True), ("fr", True)])
def test_the_forget_button_erases_the_conversation_and_starts_afresh(page, web, language, typed):
    """The button, or the same said in words: the conversation and the tab's transcript are erased."""
    open_widget(page, f"{web}/demo/cesi?lang={language}")
    question = {"en": "what do you keep about me?", "fr": "que gardez-vous sur moi ?"}[language]
    kept = ask(page, question)
    assert kept and text("web.widget_forget", language) in page.locator(".pa-choice").all_inner_texts()
    sender = _stored_sender(page)
    forget = page.locator(".pa-forget")
    assert forget.inner_text() == text("web.widget_forget", language)
    if typed:
        page.locator(".pa-input").fill({"en": "please forget this conversation", "fr": "oublie cette conversation"}[language])
        page.locator(".pa-input").press("Enter")
    else:
        forget.click()
    page.wait_for_function(
        """() => {
            const host = document.querySelector('.privacy-assistant-host').shadowRoot;
            return host.querySelector('.pa-typing').hidden && host.querySelectorAll('.pa-message').length === 1;
        }""", timeout=REPLY_TIMEOUT_MS)
    [confirmation] = page.locator(".pa-message").all_inner_texts()
    assert {"en": "this conversation is erased", "fr": "cette conversation est effacée"}[language] in confirmation
    assert page.locator(".pa-user").count() == 0  # the transcript kept in the tab is gone too
    renewed = _stored_sender(page)
    assert renewed.split(".")[0] != sender.split(".")[0] and _is_signed(renewed)  # a new id, from the server
    screenshot(page, f"widget-forgotten-{language}{'-typed' if typed else ''}")
    page.reload()  # what survives a reload is the confirmation alone
    page.locator(".pa-message").first.wait_for(state="attached")
    assert page.locator(".pa-message").count() == 1
