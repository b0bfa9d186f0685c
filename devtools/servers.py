"""Start and stop the assistant (Rasa REST + action server) on free ports and measure it.

Cold start is the time from launching both servers to the first answer to a greeting (which
needs both: the session start is a custom action). Peak memory is VmHWM from /proc, summed over
each server's process tree (Sanic workers are child processes).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from devtools.scoring import say
from rasa_extensions.endpoints import endpoints_yaml
from tracking import config as tracking_config
from tracking.erasure_token import TOKEN_VARIABLE, erasure_token
from tracking import keys

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOGS = ROOT / ".cache" / "bench" / "logs"
START_TIMEOUT_S = 300
RASA_SERVER = [sys.executable, "-m", "rasa_extensions.launcher"]   # how scripts/run.sh starts Rasa
PLAIN_RASA = [str(BIN / "rasa")]                            # Rasa as installed (the anchor, a variant)
ACTION_SERVER = [sys.executable, "-m", "actions.server"]   # how scripts/run.sh starts the action server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def latest_model(model_dir: Path) -> Path:
    models = sorted(Path(model_dir).glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError(f"no trained model in {model_dir}")
    return models[-1]


def _children(pid: int) -> List[int]:
    children: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            children += [int(child) for child in task.read_text().split()]
    return children


def process_tree(pid: int) -> List[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its descendants, in MB."""
    return sum(_status_kb(p, "VmHWM") for p in process_tree(pid)) / 1024


def rss_mb(pid: int) -> float:
    """Resident memory now (VmRSS) of a process and its descendants, in MB."""
    return sum(_status_kb(p, "VmRSS") for p in process_tree(pid)) / 1024


@dataclass
class Assistant:
    """A running Rasa server and action server."""

    url: str
    rasa: subprocess.Popen
    actions: Optional[subprocess.Popen]
    cold_start_s: float = 0.0
    tracking_db_url: str = ""
    actions_url: Optional[str] = None  # the action server's base URL (/health, /ready, /metrics)

    def peak_rss_mb(self) -> Dict[str, float]:
        return {"rasa": peak_rss_mb(self.rasa.pid), "actions": peak_rss_mb(self.actions.pid) if self.actions else 0.0}


def _wait_until_answering(url: str, processes: List[subprocess.Popen], started: float, logs: str) -> float:
    while time.monotonic() - started < START_TIMEOUT_S:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError(f"a server exited during start-up; see {logs}")
        with contextlib.suppress(OSError, ValueError):
            if say(url, "bonjour", f"bench-start-{time.monotonic_ns()}", timeout=30):
                return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"the assistant did not answer within {START_TIMEOUT_S} s")


def server_environment(tracking_db_url: str, rasa_workers: int = 1,
                       extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment the Rasa and action servers run in (as scripts/env.sh sets it for `make run`)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": "127.0.0.1",
            "TF_CPP_MIN_LOG_LEVEL": "2", "SANIC_WORKERS": str(rasa_workers),
            tracking_config.URL_VARIABLE: tracking_db_url, **(extra or {})}


@contextlib.contextmanager
def workspace(name: str, rasa_workers: int = 1,
              env_extra: Optional[Dict[str, str]] = None) -> Iterator[Tuple[Path, Dict[str, str]]]:
    """A temporary directory with a fresh, migrated tracking database, and the servers' environment."""
    LOGS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    tracking_db_url = f"sqlite:///{workdir / 'tracking.db'}"
    tracking_config.upgrade_database(tracking_db_url)
    try:
        yield workdir, server_environment(tracking_db_url, rasa_workers, env_extra)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def launch(command: List[str], log_name: str, env: Dict[str, str], logs: Path = LOGS) -> subprocess.Popen:
    logs.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(logs / f"{log_name}.log", "w"),
                            stderr=subprocess.STDOUT)


def start_action_server(port: int, name: str, env: Dict[str, str],
                        prefix: Optional[List[str]] = None, logs: Path = LOGS) -> subprocess.Popen:
    """The action server (actions/server.py: `rasa run actions` with its logs cleaned) on `port`; `prefix`
    runs plain `rasa run actions` under another command (e.g. cProfile)."""
    command = [*prefix, "run", "actions"] if prefix else ACTION_SERVER
    command = [*command, "--actions", "actions", "--port", str(port)]
    return launch(command, f"{name}-actions", env, logs)


def wait_for_action_server(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                return
        time.sleep(0.2)
    raise RuntimeError(f"the action server did not start; see {LOGS}")


@contextlib.contextmanager
def running_action_server(name: str) -> Iterator[Tuple[str, Dict[str, str]]]:
    """The action server alone on a fresh workspace until the block ends: its webhook URL and environment."""
    with workspace(name) as (_, env):
        port = free_port()
        process = start_action_server(port, name, env)
        try:
            wait_for_action_server(port, process)
            yield f"http://127.0.0.1:{port}/webhook", env
        finally:
            stop([process])


def stop(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # lets a profiled server write its profile
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def started_assistant(model: Path, workdir: Path, env: Dict[str, str], name: str, *, with_action_server: bool = True,
                      endpoints_overrides: Optional[Dict[str, Any]] = None,
                      rasa_command: Optional[List[str]] = None, logs: Path = LOGS,
                      interface: str = "127.0.0.1") -> Iterator[Assistant]:
    """Rasa (REST channel) on a free port with `model`, and the action server unless told otherwise,
    until the block ends; the bench and the end-to-end tests start the assistant through here.

    `endpoints_overrides` replace sections of endpoints.yml (a Redis lock and tracker store for several
    workers); `rasa_command` replaces the shipped launcher (`python -m rasa_extensions.launcher`), e.g. by plain `rasa`.
    """
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.touch(mode=0o600)  # it holds the action server's token
    endpoints.write_text(endpoints_yaml(f"http://127.0.0.1:{action_port}/webhook", endpoints_overrides))
    command = [*(rasa_command or RASA_SERVER), "run", "--model", str(model), "--endpoints", str(endpoints),
               "--credentials", "credentials.yml", "--interface", interface, "--port", str(rasa_port)]
    if erasure_token(env) is None:  # as scripts/run.sh: "forget this conversation" needs one (actions/forget.py)
        env = {**env, TOKEN_VARIABLE: secrets.token_hex(32)}
    started = time.monotonic()
    actions = start_action_server(action_port, name, {**env, "RASA_URL": f"http://127.0.0.1:{rasa_port}"},
                                  logs=logs) if with_action_server else None
    rasa = launch(command, f"{name}-rasa", env, logs)
    processes = [p for p in (rasa, actions) if p is not None]
    url = f"http://127.0.0.1:{rasa_port}"
    try:
        cold_start = _wait_until_answering(url, processes, started, f"{logs}/{name}-*.log")
        yield Assistant(url, rasa, actions, cold_start, env[tracking_config.URL_VARIABLE],
                        f"http://127.0.0.1:{action_port}" if actions else None)
    finally:
        stop(processes)


@contextlib.contextmanager
def running_assistant(model_dir: Path, name: str, rasa_workers: int = 1,
                      endpoints_overrides: Optional[Dict[str, Any]] = None,
                      env_extra: Optional[Dict[str, str]] = None,
                      rasa_command: Optional[List[str]] = None) -> Iterator[Assistant]:
    """The latest model of `model_dir` served on a fresh migrated tracking database (see started_assistant)."""
    with workspace(name, rasa_workers, env_extra) as (workdir, env):
        with started_assistant(latest_model(model_dir), workdir, env, name, endpoints_overrides=endpoints_overrides,
                               rasa_command=rasa_command) as assistant:
            yield assistant


@contextlib.contextmanager
def redis_server() -> Iterator[int]:
    """Debian's redis-server on a free port, without persistence, for as long as the block runs."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        # The project's Redis password (tracking.keys), as the Rasa processes' endpoints (redis_stores) give it.
        conf = keys.redis_config(Path(workdir) / "redis.conf")
        process = subprocess.Popen(["redis-server", str(conf), "--port", str(port), "--bind", "127.0.0.1", "--save",
                                    "", "--appendonly", "no", "--dir", workdir],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            authenticated = {**os.environ, "REDISCLI_AUTH": keys.secret(keys.REDIS)}
            while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True,
                                 env=authenticated).stdout.strip() != "PONG":
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.2)
            yield port
        finally:
            stop([process])
