"""Databases for the tracking tests: every `database_url` test runs on SQLite and on a real PostgreSQL 15.

The PostgreSQL server is started once per session in a temporary folder on a free port (as the
`postgres` user when the tests run as root: initdb refuses root; devtools/postgres.py, which also
starts the cluster's) and stopped at the end. When it
cannot start, its tests are skipped and the reason is printed in the summary.
Set TRACKING_TESTS_POSTGRES=0 to skip PostgreSQL on purpose.
"""
from __future__ import annotations

import os
import subprocess
import uuid
from typing import Iterator, List

import pytest
from sqlalchemy import create_engine, text

from devtools.postgres import PostgresServer, PostgresUnavailable
from tracking import config
from tracking.unit_of_work import UnitOfWork

_skip_reasons: List[str] = []


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
