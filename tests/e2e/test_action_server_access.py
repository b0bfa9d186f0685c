"""Only Rasa may call the actions: the real action server refuses a call without the shared token (a
forged call could file a request) and a deflate body that would inflate without bound, and answers
Rasa's own calls (the conversations of the other e2e tests go through it)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import zlib

import pytest

from devtools import servers
from tracking import keys

pytestmark = pytest.mark.e2e
CALL = {"next_action": "action_session_start", "sender_id": "e2e-forged", "version": "3.6.0", "domain": {},
        "tracker": {"sender_id": "e2e-forged", "slots": {}, "latest_message": {}, "events": [], "paused": False,
                    "followup_action": None, "active_loop": {}, "latest_action_name": None}}


@pytest.fixture(scope="module")
def action_server():
    with servers.running_action_server("action-access") as (url, _):
        yield url


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("headers", [{}, {keys.ACTION_SERVER_HEADER: "forged"}], ids=["no token", "wrong token"])
def test_a_call_without_the_shared_token_is_refused(action_server, headers):
    assert _post(action_server, json.dumps(CALL).encode(), headers) == 401


def test_rasa_s_token_opens_the_actions(action_server):
    token = {keys.ACTION_SERVER_HEADER: keys.secret(keys.ACTION_SERVER)}
    assert _post(action_server, json.dumps(CALL).encode(), token) == 200


def test_a_deflate_bomb_is_refused_before_it_is_inflated(action_server):
    bomb = zlib.compress(b"{" + b" " * 50_000_000 + b"}", 9)  # 50 MB of JSON in about 50 KB
    headers = {keys.ACTION_SERVER_HEADER: keys.secret(keys.ACTION_SERVER), "Content-Encoding": "deflate"}
    assert _post(action_server, bomb, headers) == 413
