"""Rate limits and size caps against the real servers (issue 14, item 3), with the shipped defaults:
30 messages a minute in one conversation, 60 from one address on /chat, 10 staff sign-in attempts
and 20 new widget conversations a minute from one address; 429 with Retry-After and a sentence in the person's language."""
from __future__ import annotations

import json

import pytest

from language.detection import detect_language

from test_malformed_bodies import REST, as_json, post
from tracking.validation import RATE_LIMITS
from web_app_server import running_web_app, widget_sender

pytestmark = pytest.mark.e2e

PER_CONVERSATION, PER_ADDRESS, SIGN_IN, NEW_CONVERSATIONS = 30, 60, 10, 20


@pytest.fixture(scope="module")
def web(assistant, tracking_db_url):
    with running_web_app(tracking_db_url, rasa_url=assistant.url, sign_in_limit=RATE_LIMITS["RATE_LIMIT_SIGN_IN"]) as base:
        yield base


def test_a_conversation_sending_too_fast_on_the_rest_webhook_is_told_to_wait(assistant):
    sender = assistant.new_sender()
    blank = as_json({"sender": sender, "message": " ", "metadata": {"language": "en"}})  # answered without the dialogue
    assert all(post(assistant.url + REST, blank)[0] == 200 for _ in range(PER_CONVERSATION))
    status, answer = post(assistant.url + REST, as_json({"sender": sender, "message": "How long do you keep my CV?"}))
    assert status == 429 and detect_language(answer["error"]) == "en"
    # another conversation is not held up
    assert post(assistant.url + REST, as_json({"sender": assistant.new_sender(), "message": " "}))[0] == 200


def test_429_carries_retry_after(assistant):
    import urllib.error
    import urllib.request

    sender = assistant.new_sender()
    for _ in range(PER_CONVERSATION):
        post(assistant.url + REST, as_json({"sender": sender, "message": " "}))
    request = urllib.request.Request(assistant.url + REST, method="POST", headers={"Content-Type": "application/json"},
                                     data=as_json({"sender": sender, "message": "Combien de temps gardez-vous mon CV ?"}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 429 and 1 <= int(refused.value.headers["Retry-After"]) <= 60
    assert detect_language(json.loads(refused.value.read())["error"]) == "fr"


def test_one_address_sending_too_many_messages_to_chat_is_told_to_wait(web):
    statuses = [post(web + "/chat", as_json({"sender": widget_sender(web), "message": " "}))[0]
                for _ in range(PER_ADDRESS)]
    assert statuses == [200] * PER_ADDRESS
    status, answer = post(web + "/chat", as_json({"sender": widget_sender(web), "message": "How long do you keep my CV?"}))
    assert status == 429 and detect_language(answer["error"]) == "en"


def test_one_address_asking_for_too_many_new_conversations_is_told_to_wait(tracking_db_url):
    limit = RATE_LIMITS["RATE_LIMIT_NEW_CONVERSATIONS"]
    with running_web_app(tracking_db_url, new_conversations_limit=limit) as base:
        statuses = [post(base + "/chat/session?lang=fr", b"")[0] for _ in range(NEW_CONVERSATIONS)]
        assert statuses == [200] * NEW_CONVERSATIONS
        status, answer = post(base + "/chat/session?lang=fr", b"")
        assert status == 429 and detect_language(answer["error"]) == "fr"


def test_staff_sign_in_attempts_are_limited(web):
    statuses = [post(web + "/console/login", b"username=alice&password=guess",
                     {"Content-Type": "application/x-www-form-urlencoded"})[0] for _ in range(SIGN_IN + 1)]
    assert 429 not in statuses[:SIGN_IN] and statuses[SIGN_IN] == 429


def test_rasa_refuses_a_huge_body_before_reading_it(assistant):
    status, _answer = post(assistant.url + REST, b"{" + b" " * 2_000_000 + b"}")
    assert status == 413
