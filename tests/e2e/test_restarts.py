"""Servers that stop in the middle of a conversation: the person gets the apology, then carries on.

- The action server killed in the middle of the rights-request form: the next message gets the apology
  in the person's language; once it is back, the form resumes at the step it was at.
- Rasa restarted with a persistent tracker store (SQL here): the conversation continues where it was.
"""
from __future__ import annotations

import contextlib
import signal
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import yaml

from devtools import servers
from knowledge.texts import text

from e2e_servers import LOGS, RestClient, _test_models
from test_rights_requests import unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.long(minutes=2)]  # the file's rough duration: longest first
APOLOGY = {language: text("channel.service_unavailable", language) for language in ("en", "fr")}


@pytest.fixture(scope="module")
def workspace(mail) -> Iterator[Dict[str, Any]]:
    """A tracking database, an SQLite tracker store, and the servers' environment, for the module."""
    with servers.workspace("restarts", env_extra={**mail.environment, "RASA_ERASURE_TOKEN": "restarts"}) as (workdir, env):
        store = {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(workdir / "conversations.db")}}
        yield {"workdir": workdir, "env": env, "store": store}


@contextlib.contextmanager
def assistant(workspace: Dict[str, Any], name: str) -> Iterator[servers.Assistant]:
    with servers.started_assistant(servers.latest_model(_test_models()), workspace["workdir"], workspace["env"],
                                   name, endpoints_overrides=workspace["store"], logs=LOGS) as started:
        yield started


def action_port(workdir: Path) -> int:
    endpoints = yaml.safe_load((workdir / "endpoints.yml").read_text())
    return int(endpoints["action_endpoint"]["url"].rsplit(":", 1)[1].split("/")[0])


@pytest.mark.parametrize("language,start,name,asks_email", [
    ("en", "I want CESI to delete my data", "Jane Killed", "e-mail"),
    ("fr", "je veux effacer mes données chez Akteos", "Jeanne Tuée", "e-mail"),
])
def test_action_server_killed_mid_form_apologises_then_resumes_at_the_same_step(workspace, language, start, name,
                                                                                asks_email):
    with assistant(workspace, f"e2e-restarts-actions-{language}") as running:
        client, sender = RestClient(running.url), RestClient.new_sender()
        # The page's language, as the widget sends it, on the first message only: the bare name after it
        # says nothing of its language either, so the apology takes the conversation's.
        page = {"language": language}
        asked = client.text(start, sender, page)
        assert asked and asked != APOLOGY[language]  # the form asks for the name
        running.actions.send_signal(signal.SIGKILL)
        running.actions.wait()
        assert client.text(name, sender) == APOLOGY[language]

        env = {**workspace["env"], "RASA_URL": running.url}
        port = action_port(workspace["workdir"])
        restarted = servers.start_action_server(port, f"e2e-restarts-actions-{language}-again", env, logs=LOGS)
        try:
            servers.wait_for_action_server(port, restarted)
            reply = client.text(name, sender, page)
            assert asks_email in reply.lower()
            email = unique_email("restarted")
            summary = client.text(email, sender, page)
            assert name in summary and email in summary
        finally:
            servers.stop([restarted])


def test_rasa_restarted_with_a_persistent_tracker_store_continues_the_conversation(workspace):
    sender, email = RestClient.new_sender(), unique_email("persisted")
    with assistant(workspace, "e2e-restarts-rasa-1") as running:
        client = RestClient(running.url)
        client.text("I want CESI to delete my data", sender)
        assert "e-mail" in client.text("Jane Persisted", sender).lower()
    with assistant(workspace, "e2e-restarts-rasa-2") as running:
        summary = RestClient(running.url).text(email, sender)
        assert "Jane Persisted" in summary and email in summary and "CESI" in summary
