"""The real Rasa server (REST channel) and action server, started on free ports for a test."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 300


def stop_process(process: subprocess.Popen) -> None:
    """Terminate, then kill if it does not stop within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def started(command: List[str], log_name: str, env: Dict[str, str], ready: Callable[[], bool], what: str,
            timeout: float = STARTUP_TIMEOUT) -> Iterator[subprocess.Popen]:
    """Runs `command` (output in .cache/<log_name>.log) until the block ends, once `ready()` holds."""
    log = ROOT / ".cache" / f"{log_name}.log"
    log.parent.mkdir(exist_ok=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited during start-up; see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start within {timeout:.0f} s; see {log}")
            time.sleep(0.3)
        yield process
    finally:
        stop_process(process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RestClient:
    """Talks to the assistant as the website widget does: REST with channel metadata."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.processes: List[subprocess.Popen] = []  # set by running_assistant

    def say(self, text: str, sender: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode())

    def text(self, text: str, sender: str, metadata: Optional[Dict[str, Any]] = None) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text, sender, metadata))

    @staticmethod
    def new_sender() -> str:
        return f"e2e-{uuid.uuid4().hex[:10]}"


def _wait_until_answering(client: RestClient, processes: List[subprocess.Popen]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a server exited during start-up; see .cache/e2e-*.log")
        try:
            if client.say("bonjour", client.new_sender()):
                return
        except OSError:
            pass
        time.sleep(2)
    raise RuntimeError("the assistant did not answer within the start-up timeout")


def _test_models() -> Path:
    models = ROOT / os.environ.get("ASSISTANT_TEST_MODELS", ".cache/test-models")
    if not list(models.glob("*.tar.gz")):
        subprocess.run([sys.executable, "scripts/train.py", "--epochs", "40", "--out", str(models)], cwd=ROOT,
                       check=True)
    return models


@contextlib.contextmanager
def running_assistant(workdir: Path, with_action_server: bool = True, tracking_db_url: Optional[str] = None,
                      rasa_workers: int = 1, redis_port: Optional[int] = None) -> Iterator[RestClient]:
    """Rasa (REST channel) on a free port, with the action server unless told otherwise.

    The action server files rights requests in `tracking_db_url` (default: a fresh SQLite file in
    `workdir`), migrated here as a deployment would.
    """
    models = _test_models()
    # Imported late: e2e modules are imported before ROOT is on the path.
    from bot.endpoints import endpoints_yaml, redis_stores
    from tracking import config as tracking_config

    tracking_db_url = tracking_db_url or f"sqlite:///{workdir / 'tracking.db'}"
    tracking_config.upgrade_database(tracking_db_url)
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(endpoints_yaml(f"http://127.0.0.1:{action_port}/webhook",
                                        redis_stores(redis_port) if redis_port else None))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": "127.0.0.1",
           "SANIC_WORKERS": str(rasa_workers), tracking_config.URL_VARIABLE: tracking_db_url}
    logs = ROOT / ".cache"
    logs.mkdir(exist_ok=True)
    suffix = ("" if with_action_server else "-no-actions") + (f"-{rasa_workers}-workers" if rasa_workers > 1 else "")
    processes = []
    if with_action_server:
        processes.append(subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            cwd=ROOT, env=env, stdout=open(logs / "e2e-actions.log", "w"), stderr=subprocess.STDOUT))
    processes.append(subprocess.Popen(
        [str(BIN / "python"), "-m", "bot.rasa_server", "run", "--model", str(models), "--endpoints", str(endpoints),
         "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(rasa_port)],
        cwd=ROOT, env=env, stdout=open(logs / f"e2e-rasa{suffix}.log", "w"), stderr=subprocess.STDOUT))
    client = RestClient(f"http://127.0.0.1:{rasa_port}")
    client.processes = processes  # the action server (if any), then Rasa
    try:
        _wait_until_answering(client, processes)
        yield client
    finally:
        for process in processes:
            stop_process(process)
