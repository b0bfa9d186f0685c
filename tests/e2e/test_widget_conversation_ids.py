"""The widget's conversation ids against the real web app (issue 14, item 6): /chat relays a message
only under an id the web app issued (POST /chat/session) and signed with its key, not older than
CONVERSATION_TTL. Anything else is refused with 403 and a sentence in the person's language, and
nothing reaches Rasa: the web app is pointed at a recording stand-in for Rasa's REST channel to see
that; one test talks to the real assistant."""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

from apps.web.conversation_ids import ConversationIds
from knowledge.texts import text
from language.detection import detect_language

from test_malformed_bodies import as_json, post
from web_app_server import migrated_sqlite_url, running_web_app, widget_sender

pytestmark = pytest.mark.e2e
KEY = "e2e-widget-conversation-key"
TTL = 3600
STUB_REPLY = "stand-in for the assistant"


class RecordingRasa:
    """Rasa's REST webhook as the web app sees it: records every body, answers one text."""

    def __init__(self) -> None:
        self.bodies: List[Dict[str, Any]] = []
        recorded = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                recorded.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                answer = json.dumps([{"text": STUB_REPLY}]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def rasa() -> Iterator[RecordingRasa]:
    stand_in = RecordingRasa()
    yield stand_in
    stand_in.close()


@pytest.fixture(scope="module")
def web(rasa, tmp_path_factory) -> Iterator[str]:
    env = {"WIDGET_CONVERSATION_KEY": KEY, "CONVERSATION_TTL": str(TTL)}
    with running_web_app(migrated_sqlite_url(tmp_path_factory.mktemp("ids")), rasa_url=rasa.url, env_extra=env) as base:
        yield base


def with_the_web_apps_key(now: float) -> ConversationIds:
    return ConversationIds(KEY.encode(), TTL, clock=lambda: now)


def forged(web: str) -> Dict[str, str]:
    """Ids a client might try: each is one way of not having the web app's token."""
    genuine = widget_sender(web)
    conversation, issued, signature = genuine.split(".")
    someone_else = widget_sender(web).split(".")[0]
    return {
        "an id the client made up (as the widget used to)": "0f8e4b2a9c1d4e7f8a6b5c3d2e1f0a9b",
        "another conversation under this signature": f"{someone_else}.{issued}.{signature}",
        "a later issue time under this signature": f"{conversation}.{int(issued) + TTL}.{signature}",
        "a changed signature": f"{conversation}.{issued}.{signature[::-1]}",
        "signed with another key": ConversationIds(b"another key", TTL).issue(),
        "expired": with_the_web_apps_key(time.time() - TTL - 60).issue(conversation),
        "unsigned, with the web- prefix Rasa sees": f"web-{conversation}",
        "the token's dots alone": "..",
    }


@pytest.mark.parametrize("language, message", [("en", "How long do you keep my CV?"),
                                               ("fr", "Combien de temps gardez-vous mon CV ?")])
def test_an_id_the_web_app_did_not_issue_is_refused_and_nothing_reaches_rasa(web, rasa, language, message):
    before = len(rasa.bodies)
    for name, sender in forged(web).items():
        status, answer = post(web + "/chat", as_json({"sender": sender, "message": message}))
        assert status == 403, name
        assert answer["error"] == text("web.chat_conversation_refused", language), name
        assert detect_language(answer["error"]) == language
    assert rasa.bodies[before:] == []


def test_an_issued_id_is_answered_and_each_answer_renews_it(web, rasa):
    request_time = int(time.time())
    sender = widget_sender(web)
    conversation = sender.split(".")[0]
    status, replies = post(web + "/chat", as_json({"sender": sender, "message": "hello"}))
    assert status == 200 and replies == [{"text": STUB_REPLY, "buttons": []}]
    assert rasa.bodies[-1]["sender"] == f"web-{conversation}" and rasa.bodies[-1]["input_channel"] == "web"
    assert sender not in json.dumps(rasa.bodies)  # the signature stays with the web app

    exchange = urllib.request.Request(web + "/chat", data=as_json({"sender": sender, "message": "again"}),
                                      headers={"Content-Type": "application/json", "Origin": "https://site.example"})
    with urllib.request.urlopen(exchange, timeout=30) as answer:
        renewed = answer.headers["X-Chat-Sender"]
        assert "X-Chat-Sender" in answer.headers["Access-Control-Expose-Headers"]  # readable by the widget's page
    assert renewed.split(".")[0] == conversation and int(renewed.split(".")[1]) >= request_time
    assert post(web + "/chat", as_json({"sender": renewed, "message": "and again"}))[0] == 200
    assert rasa.bodies[-1]["sender"] == f"web-{conversation}"
    # The key is the one configured (so the expired token of the test above was refused for its age only).
    almost_expired = with_the_web_apps_key(time.time() - TTL + 60).issue(conversation)
    assert post(web + "/chat", as_json({"sender": almost_expired, "message": "still there?"}))[0] == 200


def test_each_session_is_a_new_conversation_and_is_not_cached(web):
    request = urllib.request.Request(web + "/chat/session", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        session = json.loads(answer.read())
        assert answer.headers["Cache-Control"] == "no-store"
    assert session["expires_in"] == TTL
    assert session["sender"].split(".")[0] != widget_sender(web).split(".")[0]
    assert post(web + "/chat/session", b"", {"Host": "attacker.example"})[0] == 400


@pytest.fixture(scope="module")
def web_with_assistant(assistant, tracking_db_url) -> Iterator[str]:
    with running_web_app(tracking_db_url, rasa_url=assistant.url) as base:
        yield base


def test_the_real_assistant_answers_under_an_issued_id_and_keeps_the_conversation(web_with_assistant):
    web, sender = web_with_assistant, widget_sender(web_with_assistant)
    status, answer = post(web + "/chat", as_json({"sender": sender, "message": "Who is the DPO at CESI?",
                                                  "metadata": {"language": "en"}}))
    assert status == 200 and "CESI" in answer[0]["text"]
    status, passage = post(web + "/chat", as_json({"sender": sender, "message": "source?"}))
    assert status == 200 and "CESI" in passage[0]["text"]  # same conversation: the passage of that answer
