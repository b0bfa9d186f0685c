"""A throwaway PostgreSQL server for tests: initdb in a temporary folder, started on a free port of
127.0.0.1 (as the `postgres` user when run as root: initdb refuses root), stopped and removed at the end.

Used by the tracking tests (tests/tracking/conftest.py: every database test on SQLite and PostgreSQL)
and the database-restart test (tests/e2e/test_postgres_restart.py), which also restarts it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, text

from devtools.servers import free_port

PG_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin")


class PostgresUnavailable(Exception):
    pass


def _pg_tool(name: str) -> Optional[str]:
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


class PostgresServer:
    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            _install_postgres()
            self.initdb, self.pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise PostgresUnavailable("initdb/pg_ctl not found (looked in %s and PATH; apt-get install failed "
                                      "or not allowed)" % ", ".join(PG_BIN_DIRS))
        # Not under pytest's tmp folder: it is private to root and the server runs as `postgres`.
        self.folder = Path(tempfile.mkdtemp(prefix="tracking-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = 0
        self.as_user = "postgres" if os.geteuid() == 0 else None
        if self.as_user:
            shutil.chown(self.folder, user=self.as_user)

    @property
    def url(self) -> str:
        """The server's URL, without a database name."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}"

    def _run(self, *command: str, timeout: int = 60) -> None:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, user=self.as_user,
                                cwd=self.folder)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()}")

    def _pg_ctl(self, *arguments: str) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", *arguments)

    def start(self, attempts: int = 3) -> str:
        """initdb, then the server on a free port; its URL (without a database name)."""
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            # Loopback only, no socket file; durability is pointless for a throwaway test server.
            conf.write("\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
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
        name = f"tracking_{uuid.uuid4().hex[:12]}"
        admin = create_engine(f"{self.url}/postgres", future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return f"{self.url}/{name}"

    def stop(self) -> None:
        """Stops the server and removes its folder."""
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (PostgresUnavailable, subprocess.TimeoutExpired):
            pass
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
