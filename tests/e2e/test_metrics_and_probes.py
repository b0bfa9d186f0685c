"""Metrics and probes of the real servers (tracking/metrics.py): a widget message counted and timed on the
web app's /metrics, a request filed over REST counted once for its organisation on the action server's,
and /ready turning to 503 while the tracking database cannot be opened (then back), on both."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devtools import servers
from devtools.scraping import metrics_text, sample
from test_malformed_bodies import as_json, post
from test_rights_requests import _to_the_code, rows_for, unique_email
from web_app_server import migrated_sqlite_url, running_web_app, widget_sender

pytestmark = pytest.mark.e2e


def _status(url: str) -> tuple:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def web_db(tmp_path_factory) -> Path:
    """The web app's own tracking database, which a test takes away and puts back."""
    folder = tmp_path_factory.mktemp("web-metrics")
    migrated_sqlite_url(folder)
    return folder / "tracking.db"


@pytest.fixture(scope="module")
def web(assistant, web_db):
    with running_web_app(f"sqlite:///{web_db}", rasa_url=assistant.url) as base:
        yield base


def _away(database: Path):
    """Takes the SQLite file away (the database cannot be opened as the one migrated), then puts it back."""
    aside = database.with_suffix(".aside")
    database.rename(aside)

    def back() -> None:
        for leftover in database.parent.glob(database.name + "*"):  # what a check opened meanwhile: empty
            leftover.unlink()
        aside.rename(database)
    return back


def test_a_widget_message_is_counted_and_timed_on_the_web_app(web):
    before = metrics_text(web)
    status, replies = post(web + "/chat", as_json({"sender": widget_sender(web),
                                                   "message": "How long does CESI keep my CV?"}))
    assert status == 200 and replies[0]["text"]
    after = metrics_text(web)
    for name in ("assistant_messages_total", "assistant_message_seconds_count"):
        assert sample(after, name, channel="web") == sample(before, name, channel="web") + 1, name
    assert sample(after, "assistant_message_seconds_sum", channel="web") > \
        sample(before, "assistant_message_seconds_sum", channel="web")
    assert sample(after, "assistant_http_responses_total", server="web", status="200") > \
        sample(before, "assistant_http_responses_total", server="web", status="200")


def test_the_web_app_is_ready_only_while_it_reaches_rasa_and_its_database(web, web_db):
    assert _status(web + "/health") == (200, {"status": "ok"})
    assert _status(web + "/ready") == (200, {"ready": True, "rasa": True, "database": True})
    back = _away(web_db)
    try:
        assert _status(web + "/ready") == (503, {"ready": False, "rasa": True, "database": False})
        assert _status(web + "/health")[0] == 200  # alive: a load balancer stops sending, nobody restarts it
    finally:
        back()
    assert _status(web + "/ready")[0] == 200


def test_a_request_filed_over_rest_is_counted_once_for_its_organisation_on_the_action_server(assistant,
                                                                                              tracking_db_url, mail):
    before = metrics_text(assistant.actions_url)
    sender, email = assistant.new_sender(), unique_email("metrics")
    metadata = {"organization": "acta", "language": "en"}
    _to_the_code(assistant, sender, metadata, "I want my data erased", "Mona Metric", email)
    assistant.text(mail.latest_code(email), sender, metadata)
    assert len(rows_for(tracking_db_url, email)) == 1
    mail.wait_for(email, 2)  # the code, then the acknowledgement
    after = metrics_text(assistant.actions_url)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)
    assert delta("assistant_requests_filed_total", organization="acta") == 1
    assert delta("assistant_requests_filed_total", organization="cesi") == 0
    assert delta("assistant_mails_total", kind="verification_code", outcome="sent") == 1
    assert delta("assistant_mails_total", kind="acknowledgement", outcome="sent") == 1
    assert delta("assistant_action_seconds_count", action="action_submit_rights_request") == 1
    assert "Mona" not in after and email not in after and sender not in after  # no personal data in a label


def test_the_action_server_is_ready_only_while_its_database_opens():
    with servers.running_action_server("actions-ready") as (webhook, env):
        base = webhook.rsplit("/", 1)[0]
        database = Path(env["TRACKING_DB_URL"].removeprefix("sqlite:///"))
        assert _status(base + "/ready") == (200, {"ready": True, "database": True})
        back = _away(database)
        try:
            assert _status(base + "/ready") == (503, {"ready": False, "database": False})
            assert _status(base + "/health")[0] == 200
        finally:
            back()
        assert _status(base + "/ready")[0] == 200
