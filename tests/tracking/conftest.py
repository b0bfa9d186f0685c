"""Databases for the tracking tests: every `database_url` test runs on SQLite and on a real PostgreSQL 15
(the session's `postgres_server`, tests/conftest.py: devtools/postgres.py)."""
from __future__ import annotations

from typing import Iterator

import pytest
from sqlalchemy import text

from tracking import config
from tracking.unit_of_work import UnitOfWork


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database, never migrated: SQLite (a temporary file) and PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracking.db'}"
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    yield url
    config.dispose_engines(url)


@pytest.fixture(scope="session")
def postgres_migrated_url(postgres_server) -> str:
    url = postgres_server.new_database()
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
