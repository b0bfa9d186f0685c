"""PostgreSQL from Debian's (or already installed) binaries, initialised the same way for the tests and the
cluster: a throwaway server for tests (initdb in a temporary folder, started on a free port of 127.0.0.1,
stopped and removed at the end; used by the tracking tests, tests/conftest.py, and the database-restart
test, tests/e2e/test_postgres_restart.py, which also restarts it), and the cluster's database
(scripts/cluster.sh, scripts/netns_demo.sh), run in the foreground:

    python -m devtools.postgres serve --data var/postgres/data --port 5433    # initdb if needed, then postgres
    python -m devtools.postgres create-database postgresql+psycopg2://postgres@127.0.0.1:5433/tracking

initdb and postgres refuse to run as root: run as root (as here), they run as the `postgres` user, whose
folders they need to own. The server listens on 127.0.0.1 only, without a socket file.
"""
from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import List, Optional

from devtools.servers import free_port

PG_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin")
SERVER_USER = "postgres"
# Loopback only, no socket file. The cluster's database keeps its durability; a test's throws it away for speed.
LOOPBACK_CONF = "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 200\n"
THROWAWAY_CONF = "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"


class PostgresUnavailable(Exception):
    pass


def pg_tool(name: str) -> Optional[str]:
    for folder in PG_BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _install_postgres() -> None:
    """One attempt at `apt-get install postgresql` when the binaries are missing and we may."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], capture_output=True, timeout=600,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def pg_tools(*names: str) -> List[str]:
    """The paths of these PostgreSQL programs, installing Debian's package once if one is missing."""
    found = [pg_tool(name) for name in names]
    if not all(found):
        _install_postgres()
        found = [pg_tool(name) for name in names]
    if not all(found):
        raise PostgresUnavailable("%s not found (looked in %s and PATH; apt-get install failed or not allowed)"
                                  % ("/".join(names), ", ".join(PG_BIN_DIRS)))
    return [str(path) for path in found]


def server_user() -> Optional[str]:
    """The user the server runs as: `postgres` when we are root (initdb refuses root), else ourselves."""
    return SERVER_USER if os.geteuid() == 0 else None


def run_as_server_user(*command: str, cwd: Path, timeout: int = 60) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, user=server_user(), cwd=cwd)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()}")


def initialise(data: Path, durable: bool = True, allow: Optional[str] = None) -> None:
    """A new database cluster in `data` (whose parent the server user owns), listening on loopback only;
    `allow` (a network, e.g. 10.15.0.0/24) lets its hosts in too (scripts/netns_demo.sh's test hosts)."""
    [initdb] = pg_tools("initdb")
    run_as_server_user(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale",
                       *(() if durable else ("--no-sync",)), cwd=data.parent)
    with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(LOOPBACK_CONF + ("" if durable else THROWAWAY_CONF))
    if allow:
        with open(data / "pg_hba.conf", "a", encoding="utf-8") as hba:
            hba.write(f"host all all {allow} trust\n")


def _owned_by_server_user(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if server_user():
        shutil.chown(folder, user=server_user())


def serve(data: Path, port: int, listen: str = "127.0.0.1", allow: Optional[str] = None) -> None:
    """Becomes the PostgreSQL server on `data` (initialised first if empty), in the foreground: the
    caller's process id is the server's, so stopping or killing it stops the database. The folder
    holding `data` is made the server user's: give it one of its own (var/postgres/data)."""
    [postgres] = pg_tools("postgres")
    data = data.resolve()
    _owned_by_server_user(data.parent)
    if not (data / "PG_VERSION").exists():
        initialise(data, allow=allow)
    user = server_user()
    if user:
        account = pwd.getpwnam(user)
        os.setgroups([])
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)
        os.environ.update(HOME=account.pw_dir, USER=user)
    os.chdir(data)
    os.execv(postgres, [postgres, "-D", str(data), "-p", str(port), "-c", f"listen_addresses={listen}"])


def create_database(url: str, timeout: float = 60.0) -> None:
    """Creates the database of `url` unless it exists, once the server accepts connections."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with admin.connect() as connection:
                    exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                                {"name": target.database}).first()
                    if not exists:
                        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
                    return
            except OperationalError:  # starting up, or not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        admin.dispose()


class PostgresServer:
    """A throwaway server in a temporary folder on a free port of 127.0.0.1 (the tests'), removed by `stop`."""

    def __init__(self) -> None:
        _, self.pg_ctl = pg_tools("initdb", "pg_ctl")
        # Not under pytest's tmp folder: it is private to root and the server runs as `postgres`.
        self.folder = Path(tempfile.mkdtemp(prefix="tracking-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = 0
        _owned_by_server_user(self.folder)

    @property
    def url(self) -> str:
        """The server's URL, without a database name."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}"

    def _run(self, *command: str, timeout: int = 60) -> None:
        run_as_server_user(*command, cwd=self.folder, timeout=timeout)

    def _pg_ctl(self, *arguments: str) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", *arguments)

    def start(self, attempts: int = 3) -> str:
        """initdb, then the server on a free port; its URL (without a database name)."""
        initialise(self.data, durable=False)
        for attempt in range(1, attempts + 1):
            self.port = free_port()  # another process may take it before the server binds: then retry
            try:
                self._pg_ctl("-o", f"-p {self.port}", "start")
                return self.url
            except PostgresUnavailable as error:
                server_log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
                if attempt == attempts or "already in use" not in server_log:
                    raise PostgresUnavailable(f"{error}\n{server_log}") from None
        raise AssertionError("unreachable")

    def shut_down(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m MODE`: `fast` rolls back open transactions and closes every connection, as a
        restart does; the data stays for `start_again`."""
        self._pg_ctl("-m", mode, "stop")

    def start_again(self) -> None:
        """The server, shut down, started again on the same port and data."""
        self._pg_ctl("-o", f"-p {self.port}", "start")

    def new_database(self) -> str:
        """A new, empty database on the server; its URL."""
        url = f"{self.url}/tracking_{uuid.uuid4().hex[:12]}"
        create_database(url)
        return url

    def stop(self) -> None:
        """Stops the server and removes its folder."""
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (PostgresUnavailable, subprocess.TimeoutExpired):
            pass
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="initialise DATA if empty, then run the server in the foreground")
    serving.add_argument("--data", type=Path, required=True)
    serving.add_argument("--port", type=int, required=True)
    serving.add_argument("--listen", default="127.0.0.1", help="the address it listens on (default 127.0.0.1)")
    serving.add_argument("--allow", help="a network whose hosts may connect, e.g. 10.15.0.0/24 (default: loopback)")
    creating = commands.add_parser("create-database", help="create the database of a SQLAlchemy URL unless it exists")
    creating.add_argument("url")
    args = parser.parse_args()
    try:
        if args.command == "serve":
            serve(args.data, args.port, args.listen, args.allow)
        else:
            create_database(args.url)
    except PostgresUnavailable as error:
        sys.exit(f"PostgreSQL: {error}")


if __name__ == "__main__":
    main()
