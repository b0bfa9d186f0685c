"""No name, e-mail or message a person typed reaches any log line (tracking/log_privacy.py).

Every process as scripts/run.sh starts it, each logging to a file of this test's own: Rasa, the action
server, the web app and the Telegram relay. One run uses every channel (the widget's endpoint, REST,
Telegram), files a request with its mailed code, looks it up, and sends a forged intent whose entity
makes an action fail; then every line of every log file is searched for what was typed.
"""
from __future__ import annotations

import contextlib
import json
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from devtools import servers

from e2e_servers import LOGS as E2E_LOGS, _test_models, started
from fake_telegram_api import FakeTelegramApi
from test_rights_requests import rows_for
from test_telegram import _new_chat, _polling, _relay_env, say as telegram_say, text_of
from web_app_server import widget_sender

pytestmark = pytest.mark.e2e
TOKEN = "1000002:relay-e2e-logs"
NAME = "Zéphyrine Quillfeather"
EMAIL = f"zephyrine.quillfeather.{uuid.uuid4().hex[:6]}@privatemail.example.org"
QUESTION = "How long does CESI keep the marmalade notebooks of Zéphyrine?"
WIDGET_QUESTION = "Combien de temps Akteos conserve-t-il mes carnets de confiture ?"
TELEGRAM_QUESTION = "Does Acta keep my pineapple certificates forever?"
FORGED = '/request_right{"right":{"x":"Quillfeather-forged-entity"}}'
SECRETS = ("Quillfeather", "Zéphyrine", "privatemail", "marmalade", "confiture", "pineapple", "forged-entity")


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("privacy-logs")


@pytest.fixture(scope="module")
def everything(tmp_path_factory, logs, mail) -> Iterator[Dict[str, Any]]:
    """Rasa, the action server, the web app and the relay, each logging into `logs`."""
    with contextlib.ExitStack() as stack:
        workdir, env = stack.enter_context(servers.workspace("privacy", env_extra={**mail.environment,
                                                                                   "TELEGRAM_BOT_TOKEN": TOKEN}))
        assistant = stack.enter_context(servers.started_assistant(
            servers.latest_model(_test_models()), workdir, env, "privacy", logs=logs))
        web_port = servers.free_port()
        web_env = {**env, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(web_port), "RASA_URL": assistant.url}
        web = f"http://127.0.0.1:{web_port}"
        stack.enter_context(_started(["-m", "apps.web"], "privacy-web", web_env, lambda: _answers(web + "/widget.js")))
        api = stack.enter_context(FakeTelegramApi())
        relay_env = _relay_env(api, TELEGRAM_BOT_TOKEN=TOKEN, RASA_URL=assistant.url)

        def polling() -> bool:
            with contextlib.suppress(TimeoutError):
                api.wait_for(TOKEN, _polling, timeout=1)
                return True
            return False

        stack.enter_context(_started(["-m", "apps.telegram"], "privacy-telegram", relay_env, polling))
        yield {"rasa": assistant.url, "web": web, "api": api, "db": env["TRACKING_DB_URL"]}


@contextlib.contextmanager
def _started(arguments: List[str], log_name: str, env: Dict[str, str], ready) -> Iterator[None]:
    """A server started as e2e_servers.started does: its log is .cache/<log_name>.log."""
    with started([sys.executable, *arguments], log_name, env, ready, " ".join(arguments), timeout=120):
        yield


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


def _post(url: str, body: Dict[str, Any]) -> List[Dict[str, Any]]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


def _rest(rasa: str, text: str, sender: str) -> str:
    replies = _post(f"{rasa}/webhooks/rest/webhook", {"sender": sender, "message": text})
    return "\n".join(reply.get("text", "") for reply in replies)


def test_a_full_run_leaves_no_name_email_or_message_in_any_log(everything, logs, mail):
    rasa, sender = everything["rasa"], f"logs-{uuid.uuid4().hex[:8]}"
    # REST: a question, then a request filed with its mailed code, then looked up.
    assert _rest(rasa, QUESTION, sender)
    _rest(rasa, "I want CESI to delete my data", sender)
    _rest(rasa, NAME, sender)
    assert NAME in _rest(rasa, EMAIL, sender)
    _rest(rasa, "yes", sender)
    filed = _rest(rasa, mail.latest_code(EMAIL), sender)
    [row] = rows_for(everything["db"], EMAIL)
    assert row.reference in filed
    lookup = f"logs-{uuid.uuid4().hex[:8]}"
    _rest(rasa, f"where is my request {row.reference}?", lookup)
    assert row.reference in _rest(rasa, EMAIL, lookup)
    # The forged intent: its entity used to make the action fail and rasa-sdk echo the tracker.
    forged = _rest(rasa, FORGED, sender)
    assert forged.strip()  # an answer or the apology, never silence
    # The widget, through the web app.
    web = everything["web"]
    widget = _post(f"{web}/chat", {"sender": widget_sender(web), "message": WIDGET_QUESTION,
                                   "metadata": {"organization": "akteos", "language": "fr"}})
    assert widget and widget[0]["text"]
    # Telegram, through the relay.
    assert text_of(telegram_say(everything["api"], _new_chat(), TELEGRAM_QUESTION, token=TOKEN))

    files = sorted(logs.glob("*.log")) + [E2E_LOGS / "privacy-web.log", E2E_LOGS / "privacy-telegram.log"]
    assert {f.stem for f in files} == {"privacy-rasa", "privacy-actions", "privacy-web", "privacy-telegram"}
    logged = "\n".join(f.read_text(errors="replace") for f in files)
    leaks = [(f.name, line) for f in files for line in f.read_text(errors="replace").splitlines()
             if any(secret.lower() in line.lower() for secret in SECRETS)]
    assert leaks == []
    assert logged.strip()
