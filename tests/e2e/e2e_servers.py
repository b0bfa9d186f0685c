"""The real Rasa server (REST channel) and action server, started on free ports for a test.

They are started as the bench starts them (devtools/servers.py), so both measure and test one setup.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

from devtools import servers
from devtools.servers import ROOT, free_port  # noqa: F401  (free_port: for the tests' own servers)

STARTUP_TIMEOUT = 300
# One directory per pytest-xdist worker (make test runs the files on both cores), so that two workers
# starting the same kind of server never write one log file.
LOGS = ROOT / ".cache" / "e2e-logs" / os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextlib.contextmanager
def started(command: List[str], log_name: str, env: Dict[str, str], ready: Callable[[], bool], what: str,
            timeout: float = STARTUP_TIMEOUT) -> Iterator[subprocess.Popen]:
    """Runs `command` (output in .cache/<log_name>.log) until the block ends, once `ready()` holds."""
    process = servers.launch(command, log_name, env, LOGS)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited during start-up; see {LOGS / log_name}.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start within {timeout:.0f} s; see {LOGS / log_name}.log")
            time.sleep(0.3)
        yield process
    finally:
        servers.stop([process])


class RestClient:
    """Talks to the assistant as the website widget does: REST with channel metadata."""

    def __init__(self, url: str, processes: Optional[List[subprocess.Popen]] = None,
                 actions_url: Optional[str] = None) -> None:
        self.url = url
        self.processes = processes or []  # Rasa, then the action server if any
        self.actions_url = actions_url    # the action server's base URL, when there is one

    def say(self, text: str, sender: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        return servers.say(self.url, text, sender, metadata)

    def text(self, text: str, sender: str, metadata: Optional[Dict[str, Any]] = None) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text, sender, metadata))

    @staticmethod
    def new_sender() -> str:
        return f"e2e-{uuid.uuid4().hex[:10]}"


def _test_models() -> Path:
    models = ROOT / os.environ.get("ASSISTANT_TEST_MODELS", ".cache/test-models")
    if not list(models.glob("*.tar.gz")):
        subprocess.run([sys.executable, "scripts/train.py", "--out", str(models)], cwd=ROOT,
                       check=True)
    return models


@contextlib.contextmanager
def running_assistant(workdir: Path, with_action_server: bool = True, tracking_db_url: Optional[str] = None,
                      rasa_workers: int = 1, redis_port: Optional[int] = None,
                      env: Optional[Dict[str, str]] = None, interface: str = "127.0.0.1") -> Iterator[RestClient]:
    """Rasa (REST channel) on a free port, with the action server unless told otherwise.

    The action server files rights requests in `tracking_db_url` (default: a fresh SQLite file in
    `workdir`), migrated here as a deployment would; `env` adds to the servers' environment (e.g. the
    SMTP server of a test's mail sink, devtools/mailbox.py).
    """
    from rasa_extensions.endpoints import redis_stores
    from tracking import config as tracking_config

    tracking_db_url = tracking_db_url or f"sqlite:///{workdir / 'tracking.db'}"
    tracking_config.upgrade_database(tracking_db_url)
    name = "e2e" + ("" if with_action_server else "-no-actions") + (f"-{rasa_workers}-workers" if rasa_workers > 1 else "")
    with servers.started_assistant(servers.latest_model(_test_models()), workdir,
                                   servers.server_environment(tracking_db_url, rasa_workers, env), name,
                                   with_action_server=with_action_server,
                                   endpoints_overrides=redis_stores(redis_port) if redis_port else None,
                                   logs=LOGS, interface=interface) as assistant:
        yield RestClient(assistant.url, [p for p in (assistant.rasa, assistant.actions) if p], assistant.actions_url)
