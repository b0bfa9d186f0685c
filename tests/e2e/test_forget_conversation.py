"""The assistant's own privacy over REST: what it keeps, and "forget this conversation" (actions/forget.py).

Rasa keeps its conversations in an SQLite tracker store here, so that the test can look at what is
stored: after forgetting, no event of the conversation is left, while the rights request it filed is
still in the tracking database (the organisation must answer it).
"""
from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from devtools import servers

from e2e_servers import LOGS, RestClient, _test_models
from test_rights_requests import rows_for, unique_email

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stored(mail) -> Iterator[Dict[str, Any]]:
    with contextlib.ExitStack() as stack:
        workdir, env = stack.enter_context(servers.workspace("forget", env_extra={**mail.environment,
                                                                                   "CONVERSATION_TTL": "7200"}))
        conversations = workdir / "conversations.db"
        store = {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(conversations)}}
        assistant = stack.enter_context(servers.started_assistant(
            servers.latest_model(_test_models()), workdir, env, "e2e-forget", endpoints_overrides=store, logs=LOGS))
        yield {"client": RestClient(assistant.url), "conversations": conversations,
               "db": env["TRACKING_DB_URL"]}


def stored_events(conversations: Path, sender: str) -> int:
    with contextlib.closing(sqlite3.connect(conversations)) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def wait_until_erased(conversations: Path, sender: str, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stored_events(conversations, sender) == 0:
            return True
        time.sleep(0.3)
    return False


def test_what_the_assistant_keeps_in_english_and_in_french(stored):
    client = stored["client"]
    english = client.say("what do you keep about me?", client.new_sender())
    assert "What I, the assistant, keep about you" in english[0]["text"]
    assert "or 2 hours after your last message" in english[0]["text"]  # this deployment's CONVERSATION_TTL
    assert [b["payload"] for b in english[0]["buttons"]] == ["/forget_conversation"]
    french = client.text("que gardez-vous sur moi ?", client.new_sender())
    assert "Ce que moi, l'assistant, je garde sur vous" in french
    assert "ou 2 heures après votre dernier message" in french


def test_a_policy_question_on_retention_is_still_the_policy_s(stored):
    client = stored["client"]
    answer = client.text("How long does CESI keep my data?", client.new_sender())
    assert "keep about you" not in answer and "CESI" in answer


def test_forgetting_erases_the_conversation_but_not_the_request_it_filed(stored, mail):
    client, conversations = stored["client"], stored["conversations"]
    sender, email = client.new_sender(), unique_email("forget")
    client.text("I want CESI to delete my data", sender)
    client.text("Jane Forget", sender)
    client.text(email, sender)
    client.text("yes", sender)
    filed = client.text(mail.latest_code(email), sender)
    [row] = rows_for(stored["db"], email)
    assert row.reference in filed
    assert stored_events(conversations, sender) > 0

    confirmation = client.text("forget this conversation", sender)
    assert "this conversation is erased" in confirmation
    assert wait_until_erased(conversations, sender)
    assert rows_for(stored["db"], email) == [row]

    # What follows is a new conversation, that knows nothing of the old one.
    assert "Jane Forget" not in client.text("what is my name?", sender)
    assert stored_events(conversations, sender) > 0


def test_forgetting_in_french_during_the_request_files_nothing(stored):
    client, conversations = stored["client"], stored["conversations"]
    sender = client.new_sender()
    client.text("je veux accéder à mes données chez Akteos", sender)
    confirmation = client.text("oublie cette conversation", sender)
    assert "cette conversation est effacée" in confirmation
    assert wait_until_erased(conversations, sender)


def test_the_button_s_payload_forgets_too(stored):
    client, conversations = stored["client"], stored["conversations"]
    sender = client.new_sender()
    client.text("Who is CESI's data protection officer?", sender)
    assert "erased" in client.text("/forget_conversation", sender)
    assert wait_until_erased(conversations, sender)
