"""The cluster as `make cluster` starts it (scripts/cluster.sh), on free ports in a folder of its own, for
the failover tests and the bench: the load balancer's URL, the pid of each process, HAProxy's view of
each instance; and the failover conversation the tests and scripts/netns_demo.sh both hold.

    python -m devtools.cluster key-exports      # `export VAR=...` for each of the project's keys
    python -m devtools.cluster failover-check --url URL --mail DIR --kill PIDFILE --stats-socket SOCK --server rasa/rasa-1
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional, Tuple

from devtools import haproxy
from devtools.mailbox import MailSink
from devtools.scoring import reply_text, say
from devtools.servers import ROOT, free_port
from tracking import keys

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
        return _kill_pid_file(self.folder / "run" / f"{name}.pid")()

    def stats(self) -> Dict[str, Dict[str, str]]:
        return haproxy.server_stats(self.folder / "run" / "haproxy.sock")

    def wait_for_state(self, server: str, state: str, timeout: float) -> None:
        wait_for_state(self.folder / "run" / "haproxy.sock", server, state, timeout)

    def log_tails(self, lines: int = 40) -> str:
        """What a failed test prints, since the folder is removed when the cluster stops (the logs hold no
        message text): first what went wrong anywhere (errors, HAProxy's retries, failed requests and state
        changes), so that a shortened CI report still shows it, then the last `lines` of every log."""
        logs = [self.folder / "cluster.out", *sorted((self.folder / "log").glob("*.log"))]
        texts = {path.name: path.read_text(errors="replace").splitlines() for path in logs
                 if path.exists() and path.stat().st_size}
        trouble = [f"{name}: {line}" for name, text in texts.items() for line in text if _TROUBLE.search(line)]
        return "\n".join(["--- what went wrong, in every log", *trouble[-lines:]]
                         + [f"--- {name}\n" + "\n".join(text[-lines:]) for name, text in texts.items()])


# An error or a traceback; HAProxy's line for a request that was retried (+N), failed (not 2xx) or ended
# abnormally (a termination state other than ----), and its server state changes.
_TROUBLE = re.compile(r"ERROR|CRITICAL|Traceback|Error:|Exception|\bis DOWN\b|\bis UP\b|stopped|"
                      r"\] \S+ \S+ \S+ (?!2\d\d )\d{3} |\] \S+ \S+ \S+ \d{3} \S+ \S+ \S+ (?!----)|/\+\d+ ")


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


NAME = "Ada Lovelace"


def failover_organization() -> str:
    """The organisation the failover request is made to: the first of the knowledge files' (organisations are data)."""
    from knowledge.loading import knowledge_base

    return sorted(knowledge_base().organizations)[0]


def wait_for_state(stats_socket: Path, server: str, state: str, timeout: float) -> None:
    """Until HAProxy reports `server` ("rasa/rasa-1") in `state` ("UP", "DOWN"); AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while (current := _state(stats_socket, server)) != state:
        assert time.monotonic() < deadline, f"{server} still {current}, not {state}, after {timeout:.0f} s"
        time.sleep(0.2)


def _state(stats_socket: Path, server: str) -> str:
    try:
        return haproxy.server_stats(stats_socket)[server]["status"]
    except (FileNotFoundError, ConnectionRefusedError):  # HAProxy still starting
        return "not started"


def request_across_a_crash(url: str, mail: MailSink, kill: Callable[[], int],
                           after_next: Callable[[], None] = lambda: None) -> Tuple[str, int, str, str]:
    """A request form through the load balancer at `url`, `kill` called once the name is given (so that the
    load balancer has not seen the instance die at the next message), `after_next` once that next message
    is answered (before a restarted instance could be back). Each reply is checked as the person would
    read it; returns the summary, the killed pid, the final confirmation and the e-mail address."""
    sender, email = f"failover-{uuid.uuid4().hex[:10]}", f"failover.{uuid.uuid4().hex[:8]}@example.com"
    metadata = {"organization": failover_organization(), "language": "en"}

    def text(message: str) -> str:
        return reply_text(say(url, message, sender, metadata))

    text("I want to access my data")
    assert "e-mail" in text(NAME)
    killed = kill()
    summary = text(email)  # the next message: the form goes on where it was
    assert NAME in summary and email in summary, summary
    after_next()
    assert email in text("yes")  # a code mailed to this address
    confirmation = text(mail.latest_code(email))
    assert "RR-" in confirmation, confirmation
    return summary, killed, confirmation, email


def _kill_pid_file(pid_file: Path) -> Callable[[], int]:
    def kill() -> int:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGKILL)
        return pid
    return kill


def _filed(tracking_db_url: str, email: str) -> int:
    from tracking import service
    from tracking.scope import operator
    from tracking.unit_of_work import UnitOfWork

    return sum(row.email == email for row in service.list_requests(caller=operator("failover-check"),
                                                                   uow=UnitOfWork(url=tracking_db_url)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("key-exports", help="shell lines exporting every key of tracking/keys.py")
    check = commands.add_parser("failover-check", help="a request form across a killed instance")
    check.add_argument("--url", required=True, help="the load balancer")
    check.add_argument("--mail", type=Path, required=True, help="the mail sink's folder")
    check.add_argument("--kill", type=Path, required=True, help="the pid file of the instance to kill")
    check.add_argument("--stats-socket", type=Path, required=True)
    check.add_argument("--server", required=True, help="the killed instance in HAProxy, e.g. rasa/rasa-1")
    args = parser.parse_args()
    if args.command == "key-exports":
        for key in (value for value in vars(keys).values() if isinstance(value, keys.NamedKey)):
            print(f"export {key.variable}={shlex.quote(keys.secret(key))}")
        return
    _, killed, confirmation, email = request_across_a_crash(
        args.url, MailSink(args.mail, 0), _kill_pid_file(args.kill),
        lambda: wait_for_state(args.stats_socket, args.server, "DOWN", 10))
    print(f"  pid {killed} killed after the name; the next message got the summary with the name and e-mail; "
          f"HAProxy had {args.server} DOWN within 10 s; the request was confirmed with its reference")
    filed = _filed(os.environ["TRACKING_DB_URL"], email)
    print(f"  tracking database: {filed} request filed for that address")
    sys.exit(0 if filed == 1 else 1)


if __name__ == "__main__":
    main()
