"""The cluster as `make cluster` starts it (scripts/cluster.sh), on free ports in a folder of its own, for
the failover tests: the load balancer's URL, the pid of each process, HAProxy's view of each instance.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

from devtools import haproxy
from devtools.servers import ROOT, free_port

START_TIMEOUT_S = 600  # two Rasa instances loading their model side by side on a busy machine
READY_LINE = "Running "  # what scripts/cluster.sh prints once everything answers


@dataclass
class Cluster:
    folder: Path           # CLUSTER_DIR: log/, run/ (pids, HAProxy's stats socket), haproxy.cfg, postgres/
    url: str               # the load balancer, in front of the Rasa instances
    tracking_db_url: str   # the PostgreSQL database the action servers file requests in
    process: subprocess.Popen

    def pid(self, name: str) -> int:
        """The pid in run/<name>.pid (rasa-1, actions-2, haproxy, ...)."""
        return int((self.folder / "run" / f"{name}.pid").read_text())

    def kill(self, name: str) -> int:
        """SIGKILL to the process in run/<name>.pid, as a crash would; its pid."""
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        return pid

    def stats(self) -> Dict[str, Dict[str, str]]:
        return haproxy.server_stats(self.folder / "run" / "haproxy.sock")

    def wait_for_state(self, server: str, state: str, timeout: float) -> None:
        """Until HAProxy reports `server` ("rasa/rasa-1") in `state` ("UP", "DOWN"); AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while (current := self.stats()[server]["status"]) != state:
            assert time.monotonic() < deadline, f"{server} still {current}, not {state}, after {timeout:.0f} s"
            time.sleep(0.2)


@contextlib.contextmanager
def running_cluster(models: Path, instances: int = 2, env: Optional[Dict[str, str]] = None) -> Iterator[Cluster]:
    """scripts/cluster.sh serving the latest model of `models` until the block ends; `env` adds to its
    environment (e.g. a test's SMTP server: without one, the cluster starts its own mail sink)."""
    folder = Path(tempfile.mkdtemp(prefix="cluster-"))
    folder.chmod(0o755)  # the database server runs as `postgres` in a folder below it
    ports = {name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT", "REDIS_PORT", "POSTGRES_PORT",
                                            "MAIL_SINK_PORT")}
    environment = {key: value for key, value in os.environ.items() if key not in ("TRACKING_DB_URL", "TELEGRAM_BOT_TOKEN")}
    environment.update({"CLUSTER_DIR": str(folder), "MODELS": str(models), "RASA_INSTANCES": str(instances),
                        **{name: str(port) for name, port in ports.items()},
                        "RASA_INSTANCE_PORTS": " ".join(str(free_port()) for _ in range(instances)),
                        "ACTIONS_INSTANCE_PORTS": " ".join(str(free_port()) for _ in range(instances)), **(env or {})})
    output = folder / "cluster.out"
    with open(output, "w") as out:
        process = subprocess.Popen(["bash", "scripts/cluster.sh"], cwd=ROOT, env=environment, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while READY_LINE not in output.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"scripts/cluster.sh did not start (logs in {folder / 'log'}):\n"
                                   + output.read_text(errors="replace")[-3000:])
            time.sleep(1)
        yield Cluster(folder, f"http://127.0.0.1:{ports['RASA_PORT']}",
                      f"postgresql+psycopg2://postgres@127.0.0.1:{ports['POSTGRES_PORT']}/tracking", process)
    finally:
        if process.poll() is None:
            process.terminate()  # the script stops every process it started
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)
