"""Rasa's REST webhook needs no token from this machine (make eval, the web app, the Telegram relay)
but RASA_REST_TOKEN as a bearer token from any other address (issue 14, item 4)."""
from __future__ import annotations

import socket

import pytest

from e2e_servers import running_assistant
from test_malformed_bodies import REST, as_json, post

pytestmark = pytest.mark.e2e

TOKEN = "e2e-rest-token-4f7a"


def _outside_address() -> str:
    """This machine's address on its network interface (not loopback): how another host reaches it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no network interface besides loopback")
    return address


@pytest.fixture(scope="module")
def reachable(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("token"), with_action_server=False, interface="0.0.0.0",
                           env={"RASA_REST_TOKEN": TOKEN}) as client:
        yield client


def test_a_client_from_elsewhere_needs_the_token(reachable):
    port = reachable.url.rsplit(":", 1)[1]
    outside = f"http://{_outside_address()}:{port}{REST}"
    body = as_json({"sender": reachable.new_sender(), "message": " "})
    assert post(outside, body)[0] == 401
    assert post(outside, body, {"Authorization": "Bearer wrong"})[0] == 401
    assert post(outside, body, {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert post(reachable.url + REST, body)[0] == 200  # loopback: local tools need no token
