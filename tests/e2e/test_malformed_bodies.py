"""Hostile and malformed bodies against the real servers (issue 14, items 1 and 2): Rasa's REST
webhook and the web app's /chat answer 400 (413 when too large) with a JSON error in the person's
language and the fields at fault, never a 500, an empty list, the apology or a shared conversation;
a long hostile message is answered like any other."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Dict, Optional, Tuple

import pytest

from language.detection import detect_language
from tracking.validation import MAX_BODY_BYTES, MAX_MESSAGE_LENGTH

from web_app_server import running_web_app, widget_sender

pytestmark = pytest.mark.e2e

REST = "/webhooks/rest/webhook"


def post(url: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode("utf-8", "replace")


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


MALFORMED = {
    "empty body": b"",
    "not JSON": b"{sender: x",
    "a list": b"[]",
    "no sender": as_json({"message": "How long do you keep my CV?"}),
    "blank sender": as_json({"sender": "   ", "message": "How long do you keep my CV?"}),
    "sender a number": as_json({"sender": 12345678, "message": "hello"}),
    "message a list": as_json({"sender": "e2e-malformed-1", "message": ["hello"]}),
    "no message": as_json({"sender": "e2e-malformed-2"}),
    "metadata a string": as_json({"sender": "e2e-malformed-3", "message": "hello", "metadata": "fr"}),
    "metadata a list": as_json({"sender": "e2e-malformed-4", "message": "hello", "metadata": [["language", "en"]]}),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_the_rest_webhook_refuses_a_malformed_body_with_400_and_says_what_is_wrong(assistant, name):
    status, answer = post(assistant.url + REST, MALFORMED[name])
    assert status == 400, answer
    assert isinstance(answer, dict) and answer["error"] and answer["problems"]


def test_a_too_long_message_is_refused_in_the_persons_language(assistant):
    for question, language in (("How long do you keep my CV? " * 80, "en"),
                               ("Combien de temps gardez-vous mon CV ? " * 60, "fr")):
        assert len(question) > MAX_MESSAGE_LENGTH
        status, answer = post(assistant.url + REST, as_json({"sender": assistant.new_sender(), "message": question}))
        assert status == 400 and str(MAX_MESSAGE_LENGTH) in answer["error"]
        assert detect_language(answer["error"]) == language


def test_an_oversized_body_is_refused_with_413(assistant):
    body = as_json({"sender": assistant.new_sender(), "message": "hi", "metadata": {"x": "y" * MAX_BODY_BYTES}})
    status, answer = post(assistant.url + REST, body)
    assert status == 413 and answer["problems"]


def test_a_missing_sender_never_reaches_a_shared_conversation(assistant):
    post(assistant.url + REST, as_json({"message": "I want Akteos to delete my data, my name is Ophelia Vantongeren"}))
    status, replies = post(assistant.url + REST, as_json({"sender": "default", "message": "what is my name?"}))
    assert status == 200 and "Vantongeren" not in json.dumps(replies)


@pytest.mark.parametrize("unit", ["!", "a@", "«", "x@y.", "(", "1 "])
def test_a_long_hostile_message_is_answered_like_any_other(assistant, unit):
    message = (unit * MAX_MESSAGE_LENGTH)[:MAX_MESSAGE_LENGTH]
    sender = assistant.new_sender()
    status, replies = post(assistant.url + REST, as_json({"sender": sender, "message": message,
                                                          "metadata": {"organization": "cesi", "language": "en"}}))
    assert status == 200 and replies and all(reply.get("text") for reply in replies)
    # and the conversation goes on: the servers were not left busy
    assert "CESI" in assistant.text("Who is the DPO at CESI?", sender, {"organization": "cesi"})


@pytest.fixture(scope="module")
def web(assistant, tracking_db_url):
    with running_web_app(tracking_db_url, rasa_url=assistant.url) as base:
        yield base


@pytest.mark.parametrize("name", [name for name in MALFORMED if name != "no sender"])
def test_chat_refuses_a_malformed_body_with_400(web, name):
    status, answer = post(web + "/chat", MALFORMED[name])
    assert status == 400, answer
    assert answer["error"] and answer["problems"]


def test_chat_refuses_a_too_long_message_and_an_oversized_body(web):
    status, answer = post(web + "/chat", as_json({"sender": "e2e-malformed-web", "message": "x" * 2001,
                                                  "metadata": {"language": "en"}}))
    assert status == 400 and str(MAX_MESSAGE_LENGTH) in answer["error"] and detect_language(answer["error"]) == "en"
    status, answer = post(web + "/chat", as_json({"sender": "e2e-malformed-web", "message": "hi",
                                                  "metadata": {"x": "y" * MAX_BODY_BYTES}}))
    assert status == 413


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_chat_accepts_only_json_so_a_cross_site_post_needs_a_preflight(web, content_type):
    body = as_json({"sender": widget_sender(web), "message": "hello"})
    assert post(web + "/chat", body, {"Content-Type": content_type})[0] == 415
    assert post(web + "/chat", body, {"Content-Type": "application/json; charset=utf-8"})[0] == 200


def test_chat_answers_only_under_an_allowed_host_name(web):
    body = as_json({"sender": widget_sender(web), "message": " "})
    assert post(web + "/chat", body, {"Host": "attacker.example"})[0] == 400
    assert post(web + "/chat", body, {"Host": "localhost:8000"})[0] == 200
