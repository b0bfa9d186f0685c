"""The cluster's HAProxy configuration (devtools/haproxy.cfg.template, as scripts/cluster.sh writes it) sends a
message to another instance when the one it reached dies without answering, whatever the size of the message:
Rasa's calls to the action servers carry the session's events (and the domain, for the form's validations),
and an action server killed while such a call reaches it must not cost the person an apology (issue 15; the
failover test kills one, but can only sometimes hit that moment). Real HAProxy, in front of an instance that
reads a request and closes the connection unanswered, as a killed process does, and a sound one."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from devtools import haproxy
from devtools.cluster import wait_for_state
from devtools.servers import free_port

pytestmark = pytest.mark.e2e

# A form's validation some 35 turns into a session: Rasa sends the domain (about 40 KB) and the session's
# events (about 7 KB a turn), well over HAProxy's default 16 KB buffer.
ACTION_CALL_BYTES = 300_000
SOUND_ANSWER = b'{"events": [], "responses": []}'


class _Instance(BaseHTTPRequestHandler):
    dies_on_post = False

    def do_GET(self) -> None:  # the health check
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.dies_on_post:  # the whole request read, then gone without a word
            self.close_connection = True
            return
        self._answer()

    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(SOUND_ANSWER)))
        self.end_headers()
        self.wfile.write(SOUND_ANSWER)

    def log_message(self, *_: object) -> None:
        pass


class _Dying(_Instance):
    dies_on_post = True


def _serving(handler: type) -> Tuple[ThreadingHTTPServer, int]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@pytest.fixture(scope="module")
def actions_url(tmp_path_factory) -> Iterator[str]:
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        pytest.fail("HAProxy is missing: make install installs Debian's package")
    folder = tmp_path_factory.mktemp("haproxy")
    dying, dying_port = _serving(_Dying)
    sound, sound_port = _serving(_Instance)
    actions_port, socket = free_port(), folder / "haproxy.sock"
    config = folder / "haproxy.cfg"
    config.write_text(haproxy.config(socket, free_port(), actions_port, rasa=[str(sound_port)],
                                     actions=[str(dying_port), str(sound_port)]), encoding="utf-8")
    process = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for server in ("actions/actions-1", "actions/actions-2"):
            wait_for_state(socket, server, "UP", 15)
        yield f"http://127.0.0.1:{actions_port}/webhook"
    finally:
        process.terminate()
        process.wait(10)
        dying.shutdown()
        sound.shutdown()


def _post(url: str, size: int) -> Tuple[int, bytes]:
    body = json.dumps({"next_action": "action_answer", "padding": "x" * size}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("size", [200, ACTION_CALL_BYTES], ids=["a short call", "a call deep into a session"])
def test_a_call_to_an_instance_that_dies_without_answering_is_answered_by_another(actions_url, size):
    # round robin: of four calls, two reach the dying instance first
    assert [_post(actions_url, size) for _ in range(4)] == [(200, SOUND_ANSWER)] * 4
