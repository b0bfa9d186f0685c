"""Databases for the tracking tests: every `database_url` test runs on SQLite and on a real PostgreSQL 15.

The PostgreSQL server is started once per session in a temporary folder on a free port (as the
`postgres` user when the tests run as root: initdb refuses root) and stopped at the end. When it
cannot start, its tests are skipped and the reason is printed in the summary.
Set TRACKING_TESTS_POSTGRES=0 to skip PostgreSQL on purpose.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator, List, Optional

import pytest
from sqlalchemy import create_engine, text

from tracking import config
from tracking.unit_of_work import UnitOfWork

PG_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin")
_skip_reasons: List[str] = []


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        self.port = 0
        self.as_user = "postgres" if os.geteuid() == 0 else None
        if self.as_user:
            shutil.chown(self.folder, user=self.as_user)

    def _run(self, *command: str, timeout: int = 60) -> None:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, user=self.as_user,
                                cwd=self.folder)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()}")

    def start(self, attempts: int = 3) -> str:
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            # Loopback only, no socket file; durability is pointless for a throwaway test server.
            conf.write("\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
        log = self.folder / "server.log"
        for attempt in range(1, attempts + 1):
            self.port = _free_port()  # another process may take it before the server binds: then retry
            try:
                self._run(self.pg_ctl, "-D", str(self.data), "-l", str(log), "-o", f"-p {self.port}", "-w",
                          "-t", "30", "start")
                return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}"
            except PostgresUnavailable as error:
                server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                if attempt == attempts or "already in use" not in server_log:
                    raise PostgresUnavailable(f"{error}\n{server_log}") from None
        raise AssertionError("unreachable")

    def stop(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (PostgresUnavailable, subprocess.TimeoutExpired):
            pass
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    if os.environ.get("TRACKING_TESTS_POSTGRES") == "0":
        _skip("PostgreSQL tests disabled by TRACKING_TESTS_POSTGRES=0")
    try:
        server = PostgresServer()
    except PostgresUnavailable as error:
        _skip(f"PostgreSQL unavailable: {error}")
    try:
        url = server.start()
    except (PostgresUnavailable, subprocess.TimeoutExpired, OSError) as error:
        server.stop()
        _skip(f"PostgreSQL could not start: {error}")
    try:
        yield url
    finally:
        config.dispose_engines()
        server.stop()


def _skip(reason: str) -> None:
    """Skip the PostgreSQL half on a developer machine without PostgreSQL; in CI it must run, so fail."""
    if os.environ.get("CI") and "disabled by" not in reason:
        pytest.fail(f"{reason} (CI must run the PostgreSQL tests; the fixture installs PostgreSQL with apt-get "
                    "when it runs as root)", pytrace=False)
    if reason not in _skip_reasons:
        _skip_reasons.append(reason)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter) -> None:
    for reason in _skip_reasons:
        terminalreporter.write_line(f"tracking tests: {reason}", yellow=True)


def _new_postgres_database(server_url: str) -> str:
    name = f"tracking_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server_url}/postgres", future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{server_url}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database, never migrated: SQLite (a temporary file) and PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracking.db'}"
    else:
        url = _new_postgres_database(request.getfixturevalue("postgres_server_url"))
    yield url
    config.dispose_engines(url)


@pytest.fixture(scope="session")
def postgres_migrated_url(postgres_server_url) -> str:
    url = _new_postgres_database(postgres_server_url)
    config.upgrade_database(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_url(request, tmp_path) -> Iterator[str]:
    """A database at the head revision, holding no request: SQLite and PostgreSQL.

    SQLite gets a new file each time; PostgreSQL one database migrated once per session and emptied
    before each test (a new database plus migration per test would double the suite's time).
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracking.db'}"
        config.upgrade_database(url)
        yield url
        config.dispose_engines(url)
        return
    url = request.getfixturevalue("postgres_migrated_url")
    with config.get_engine(url).begin() as connection:
        connection.execute(text("TRUNCATE audit_log, status_history, requests, staff_sessions, staff_organizations, "
                                "sign_in_throttle, staff_users RESTART IDENTITY"))
    yield url


@pytest.fixture
def uow(migrated_url) -> UnitOfWork:
    return UnitOfWork(url=migrated_url)
