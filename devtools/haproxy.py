"""The cluster's HAProxy (scripts/cluster.sh): its configuration, written from devtools/haproxy.cfg.template,
and the state of each backend server as HAProxy's stats socket reports it.

    python -m devtools.haproxy config --stats-socket var/run/haproxy.sock --rasa-port 5005 \\
        --actions-port 5055 --rasa 5011 5012 --actions 5061 5062 > var/haproxy.cfg
    python -m devtools.haproxy status var/run/haproxy.sock     # rasa/rasa-1 UP ...
"""
from __future__ import annotations

import argparse
import csv
import io
import socket
from pathlib import Path
from string import Template
from typing import Dict, Sequence

TEMPLATE = Path(__file__).with_name("haproxy.cfg.template")


def _servers(kind: str, addresses: Sequence[str]) -> str:
    return "\n".join(f"    server {kind}-{number} {address if ':' in address else '127.0.0.1:' + address} check"
                     for number, address in enumerate(addresses, start=1))


def config(stats_socket: Path, rasa_port: int, actions_port: int, rasa: Sequence[str], actions: Sequence[str],
           bind: str = "127.0.0.1") -> str:
    """haproxy.cfg: `rasa-<n>` and `actions-<n>` servers, numbered from 1 in the order given, each a
    port of 127.0.0.1 or HOST:PORT; the load balancer listens on `bind`."""
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        stats_socket=stats_socket, bind=bind, rasa_port=rasa_port, actions_port=actions_port,
        rasa_servers=_servers("rasa", rasa), action_servers=_servers("actions", actions))


def server_stats(stats_socket: Path, timeout: float = 5.0) -> Dict[str, Dict[str, str]]:
    """Each backend server's line of HAProxy's `show stat`, by "backend/server" ("rasa/rasa-1"): its
    `status` (UP, DOWN, ...), `stot` (requests it was sent), ..."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        connection.connect(str(stats_socket))
        connection.sendall(b"show stat\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    rows = csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8").lstrip("# ")))
    return {f"{row['pxname']}/{row['svname']}": row for row in rows
            if row.get("svname") not in (None, "FRONTEND", "BACKEND")}


def server_states(stats_socket: Path) -> Dict[str, str]:
    """{"rasa/rasa-1": "UP", "actions/actions-2": "DOWN", ...}: each backend server's state."""
    return {server: row["status"] for server, row in server_stats(stats_socket).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    writing = commands.add_parser("config", help="print haproxy.cfg")
    writing.add_argument("--stats-socket", type=Path, required=True)
    writing.add_argument("--rasa-port", type=int, required=True, help="the load balancer's port for Rasa")
    writing.add_argument("--actions-port", type=int, required=True, help="the load balancer's port for the actions")
    writing.add_argument("--bind", default="127.0.0.1", help="the address the load balancer listens on")
    writing.add_argument("--rasa", nargs="+", required=True, help="the Rasa instances: PORT (of 127.0.0.1) or HOST:PORT")
    writing.add_argument("--actions", nargs="+", required=True, help="the action servers: PORT or HOST:PORT")
    status = commands.add_parser("status", help="each backend server's state")
    status.add_argument("stats_socket", type=Path)
    args = parser.parse_args()
    if args.command == "config":
        print(config(args.stats_socket.resolve(), args.rasa_port, args.actions_port, args.rasa, args.actions,
                     args.bind), end="")
    else:
        for server, state in server_states(args.stats_socket).items():
            print(f"{server:24} {state}")


if __name__ == "__main__":
    main()
