"""The Telegram relay end to end: `python -m apps.telegram` with the real python-telegram-bot client,
pointed at a stand-in Bot API on 127.0.0.1 (fake_telegram_api.py), and the real Rasa and action
servers behind it, started once for this module with the erasure endpoint on.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterator, List

import pytest

from knowledge.loading import load_knowledge_base
from apps.telegram.relay import UNAVAILABLE, relay_text
from apps.telegram.rasa_client import masked, sender_id
from tracking import keys

from e2e_servers import LOGS, ROOT, free_port, running_assistant, started
from fake_telegram_api import Call, FakeTelegramApi
from test_rights_requests import rows_for, unique_email

pytestmark = pytest.mark.e2e
KB = load_knowledge_base()
TOKEN = "1000001:relay-e2e-polling"
RELAY_START_TIMEOUT = 60


def _new_chat() -> int:
    return 10**9 + uuid.uuid4().int % 10**9


def _relay_env(api: FakeTelegramApi, **variables: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_") and k != "RASA_ERASURE_TOKEN"}
    return {**env, "PYTHONPATH": str(ROOT), "TELEGRAM_API_URL": api.url, **variables}


@contextlib.contextmanager
def running_relay(api: FakeTelegramApi, token: str, rasa_url: str, name: str,
                  ready: Callable[[List[Call]], bool], **variables: str) -> Iterator[subprocess.Popen]:
    """The relay as scripts/run.sh starts it, until `ready` holds for its calls to the Bot API."""
    def relay_ready() -> bool:
        try:
            api.wait_for(token, ready, timeout=1)
            return True
        except TimeoutError:
            return False

    env = _relay_env(api, TELEGRAM_BOT_TOKEN=token, RASA_URL=rasa_url, **variables)
    with started([sys.executable, "-m", "apps.telegram"], f"e2e-telegram-{name}", env, relay_ready, "the relay",
                 timeout=RELAY_START_TIMEOUT) as process:
        yield process


def _polling(calls: List[Call]) -> bool:
    return any(call.method == "getUpdates" for call in calls)


@pytest.fixture(scope="module")
def telegram_api() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi() as api:
        yield api


@pytest.fixture(scope="module")
def telegram_db_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('telegram-tracking') / 'tracking.db'}"


@pytest.fixture(scope="module")
def telegram_assistant(tmp_path_factory, telegram_db_url, mail):
    """Rasa and the action server, started with the bot token in their environment as `make run` does,
    which turns the erasure endpoint on, and sending their mail to the session's mail sink."""
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
            environment.delenv("RASA_ERASURE_TOKEN", raising=False)
            client = stack.enter_context(running_assistant(tmp_path_factory.mktemp("telegram"),
                                                           tracking_db_url=telegram_db_url, env=mail.environment))
        yield client


@pytest.fixture(scope="module")
def relay(telegram_api, telegram_assistant) -> Iterator[subprocess.Popen]:
    with running_relay(telegram_api, TOKEN, telegram_assistant.url, "polling", _polling) as process:
        yield process


def say(api: FakeTelegramApi, chat_id: int, text: str, language_code: str = "en", token: str = TOKEN,
        **options: Any) -> List[Dict[str, Any]]:
    since = api.mark(token)
    api.send_text(token, chat_id, text, language_code, **options)
    return api.replies(token, chat_id, since)


def press(api: FakeTelegramApi, chat_id: int, callback_data: str, language_code: str = "en"):
    """Presses a button; returns the bot's messages and the calls it made meanwhile."""
    since = api.mark(TOKEN)
    query_id = api.press(TOKEN, chat_id, callback_data, language_code)
    replies = api.replies(TOKEN, chat_id, since)
    return query_id, replies, api.calls(TOKEN)[since:]


def text_of(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(reply["text"] for reply in replies)


def buttons_of(replies: List[Dict[str, Any]]) -> Dict[str, str]:
    """Button title -> callback data, over every keyboard in the replies."""
    return {button["text"]: button["callback_data"] for reply in replies
            for row in (reply.get("reply_markup") or {}).get("inline_keyboard", []) for button in row}


def test_a_question_gets_the_cited_answer_and_the_passage_button_sends_the_passage(telegram_api, relay):
    chat = _new_chat()
    replies = say(telegram_api, chat, "How long does CESI keep my CV?")
    answer = text_of(replies)
    cesi = KB.organizations["cesi"]
    facts = [fact for fact in cesi.facts if fact.answer["en"] in answer]
    assert facts, answer
    assert f"Source: {cesi.policy_title['en']}" in answer
    passage_button = buttons_of(replies)["Show the passage"]
    assert len(passage_button.encode()) <= 64

    query_id, passage, calls = press(telegram_api, chat, passage_button)
    assert any(c.method == "answerCallbackQuery" and c.params["callback_query_id"] == query_id for c in calls)
    assert any(c.method == "editMessageReplyMarkup" for c in calls)  # the pressed keyboard is taken off
    assert facts[0].source.quote in text_of(passage)


def test_a_rights_request_from_telegram_leaves_exactly_its_row_once_the_mailed_code_is_typed(
        telegram_api, relay, telegram_db_url, mail):
    chat, email = _new_chat(), unique_email("telegram")
    asked = say(telegram_api, chat, "I want to access my data")
    _, organization_chosen, _ = press(telegram_api, chat, buttons_of(asked)["CESI"])
    assert "name" in text_of(organization_chosen).lower()
    assert "e-mail" in text_of(say(telegram_api, chat, "Jane Telegram"))
    summary = text_of(say(telegram_api, chat, email))
    assert "Jane Telegram" in summary and email in summary
    code_asked = say(telegram_api, chat, "yes")
    assert "6-digit code" in text_of(code_asked) and rows_for(telegram_db_url, email) == []
    first = mail.latest_code(email)
    _, resent, _ = press(telegram_api, chat, buttons_of(code_asked)["Resend the code"])
    assert "new code" in text_of(resent)
    code = mail.latest_code(email, count=2)
    if code != first:
        assert "Tries left: 2" in text_of(say(telegram_api, chat, first))
    filed = text_of(say(telegram_api, chat, code))

    rows = rows_for(telegram_db_url, email)
    assert len(rows) == 1
    row = rows[0]
    assert (row.organization, row.right, row.name, row.language, row.channel, row.status.value) == \
        ("cesi", "access", "Jane Telegram", "en", "telegram", "received")
    assert row.reference in filed
    assert row.reference in mail.wait_for(email, 3)[-1]["Subject"]  # the acknowledgement


@pytest.mark.parametrize("forget", ["/forget", "please forget this conversation"])
def test_forget_erases_the_conversation_and_the_chosen_organisation(telegram_api, relay, forget):
    """/forget, or the same typed to the assistant: the relay forgets the chat's organisation either way."""
    chat = _new_chat()
    offered = say(telegram_api, chat, "/org")
    assert text_of(offered) == relay_text("organization_prompt", "en")
    _, chosen, _ = press(telegram_api, chat, buttons_of(offered)["CESI"])
    assert "CESI" in text_of(chosen)
    question = "How long do you keep my CV?"
    assert KB.organizations["cesi"].policy_title["en"] in text_of(say(telegram_api, chat, question))

    forgotten = text_of(say(telegram_api, chat, forget))
    assert forgotten == relay_text("forget_done", "en") if forget == "/forget" else forgotten.startswith("Done: ")
    after = say(telegram_api, chat, question)
    # Neither Rasa's tracker nor the relay's memory of the chat knows CESI any more: the bot asks.
    assert "Which organisation" in text_of(after) and "CESI" in buttons_of(after)
    assert KB.organizations["cesi"].policy_title["en"] not in text_of(after)


def test_forget_erases_the_language_chosen_for_the_conversation(telegram_api, relay):
    chat = _new_chat()
    offered = say(telegram_api, chat, "/language")
    _, switched, _ = press(telegram_api, chat, buttons_of(offered)["Français"])
    assert "français" in text_of(switched)
    assert "C'est noté" in text_of(say(telegram_api, chat, "CESI"))  # the conversation is in French now

    say(telegram_api, chat, "/forget")
    # A message that says nothing of its language: the new conversation starts in Telegram's (English).
    assert "Noted: CESI" in text_of(say(telegram_api, chat, "CESI"))


def test_the_erasure_endpoint_refuses_a_caller_without_the_token(telegram_assistant):
    url = f"{telegram_assistant.url}/webhooks/erasure/conversations/{sender_id(1, TOKEN)}"
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        request = urllib.request.Request(url, method="DELETE", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401


STICKER = {"sticker": {"file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "AgADsticker", "type": "regular",
                       "width": 512, "height": 512, "is_animated": False, "is_video": False}}
PHOTO = {"photo": [{"file_id": "AgACAgIAAxkBAAEC", "file_unique_id": "AQADphoto", "width": 90, "height": 90}]}
VOICE = {"voice": {"file_id": "AwACAgIAAxkBAAED", "file_unique_id": "AgADvoice", "duration": 3}}
DOCUMENT = {"document": {"file_id": "BQACAgIAAxkBAAEE", "file_unique_id": "AgADdoc", "file_name": "id.pdf"}}


@pytest.mark.parametrize("content", [STICKER, PHOTO, VOICE, DOCUMENT], ids=["sticker", "photo", "voice", "document"])
def test_what_the_assistant_cannot_read_gets_a_reply_in_the_persons_language(telegram_api, relay, content):
    chat = _new_chat()
    since = telegram_api.mark(TOKEN)
    telegram_api.push(TOKEN, {"message": telegram_api.message(chat, "fr", **content)})
    assert text_of(telegram_api.replies(TOKEN, chat, since)) == relay_text("not_text", "fr")


def test_edits_long_texts_unknown_commands_groups_and_old_buttons_get_a_clear_reply(telegram_api, relay):
    chat = _new_chat()
    assert text_of(say(telegram_api, chat, "How long?", edited=True)) == relay_text("edited", "en")
    long_text = "Please tell me everything about cookies. " * 40
    assert text_of(say(telegram_api, chat, long_text)) == \
        relay_text("too_long", "en", length=len(long_text), limit=1000)
    assert text_of(say(telegram_api, chat, '/choose_organization{"organization": "cesi"}')) == \
        relay_text("unknown_command", "en")
    assert text_of(say(telegram_api, -chat, "/start", chat_type="group")) == relay_text("private_only", "en")
    query_id, replies, calls = press(telegram_api, chat, "r:from-before-a-restart")
    assert text_of(replies) == relay_text("button_expired", "en")
    assert any(c.method == "answerCallbackQuery" and c.params["callback_query_id"] == query_id for c in calls)


def test_after_a_sticker_the_relay_keeps_answering(telegram_api, relay):
    chat = _new_chat()
    since = telegram_api.mark(TOKEN)
    telegram_api.push(TOKEN, {"message": telegram_api.message(chat, "en", **STICKER)})
    telegram_api.replies(TOKEN, chat, since)
    assert relay.poll() is None
    assert "Source:" in text_of(say(telegram_api, chat, "Who is the data controller at Akteos?"))


def test_the_relay_logs_the_chat_masked_and_never_a_message_or_a_name(telegram_api, relay):
    chat = _new_chat()
    say(telegram_api, chat, "My name is Zebulon Quartz, how long does Akteos keep my CV?")
    log = (LOGS / "e2e-telegram-polling.log").read_text()
    sender = sender_id(chat, keys.secret(keys.TELEGRAM_SENDER))  # the relay's own key (tracking/keys.py), not the bot token
    assert masked(sender) in log  # the turn was logged, under the start of the hashed id
    assert sender not in log  # the whole id is the conversation's credential on Rasa's REST channel
    assert "Zebulon" not in log and "Camille" not in log and str(chat) not in log


def test_start_and_privacy_answer_in_the_persons_language(telegram_api, relay):
    chat = _new_chat()
    assert text_of(say(telegram_api, chat, "/start", "fr")) == relay_text("start", "fr")
    assert text_of(say(telegram_api, chat, "/privacy", "en-GB")) == relay_text("privacy", "en", kept_for="a day")


def test_with_rasa_down_the_person_gets_an_apology_and_the_relay_keeps_running(telegram_api):
    token, chat = "1000002:relay-e2e-rasa-down", _new_chat()
    nothing_there = f"http://127.0.0.1:{free_port()}"
    with running_relay(telegram_api, token, nothing_there, "rasa-down", _polling) as process:
        for question, language in (("Combien de temps le CESI garde-t-il mon CV ?", "fr"),
                                   ("How long does CESI keep my CV?", "en")):
            assert text_of(say(telegram_api, chat, question, "fr", token=token)) == relay_text(UNAVAILABLE, language)
        assert text_of(say(telegram_api, chat, "/forget", "fr", token=token)) == relay_text("forget_failed", "fr")
        assert process.poll() is None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_webhook_mode_refuses_updates_without_the_secret_token_and_processes_the_right_one(telegram_api):
    token, chat, secret, port = "1000003:relay-e2e-webhook", _new_chat(), "s3cret-token_for-e2e", free_port()
    public_url = "https://bot.example.org/telegram/hook"
    with running_relay(telegram_api, token, f"http://127.0.0.1:{free_port()}", "webhook",
                       lambda calls: any(c.method == "setWebhook" for c in calls),
                       TELEGRAM_WEBHOOK_URL=public_url, TELEGRAM_WEBHOOK_SECRET=secret,
                       TELEGRAM_WEBHOOK_PORT=str(port)):
        registered = telegram_api.webhook(token)
        assert (registered["url"], registered["secret_token"]) == (public_url, secret)
        deadline = time.monotonic() + 20
        while not _port_open(port) and time.monotonic() < deadline:
            time.sleep(0.2)

        def post(headers: Dict[str, str]) -> int:
            update = {"update_id": int(time.time()), "message": telegram_api.message(chat, "en", text="/privacy", entities=[
                {"type": "bot_command", "offset": 0, "length": len("/privacy")}])}
            request = urllib.request.Request(f"http://127.0.0.1:{port}/telegram/hook", data=json.dumps(update).encode(),
                                             headers={"Content-Type": "application/json", **headers})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as refused:
                return refused.code

        since = telegram_api.mark(token)
        assert post({}) == 403
        assert post({"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        time.sleep(1)
        assert [c for c in telegram_api.calls(token)[since:] if c.method == "sendMessage"] == []
        assert post({"X-Telegram-Bot-Api-Secret-Token": secret}) == 200
        assert text_of(telegram_api.replies(token, chat, since)) == relay_text("privacy", "en", kept_for="a day")
