"""Shared fixtures: the knowledge base and the domain, loaded once per test session; a PostgreSQL server.

`postgres_server` (devtools/postgres.py) is started once per session, in a temporary folder on a free
port, for the tracking tests and the database-restart test, and stopped at the end. When it cannot
start, its tests are skipped (failed under CI) and the reason is printed in the summary. Set
TRACKING_TESTS_POSTGRES=0 to skip PostgreSQL on purpose.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator, List

import pytest
import yaml

from devtools.postgres import PostgresServer, PostgresUnavailable
from knowledge.loading import load_knowledge_base
from knowledge.model import KnowledgeBase
from tracking import config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def tracking_db(tmp_path, monkeypatch) -> str:
    """A fresh tracking database, made by the migrations, that the service and the actions use."""
    url = f"sqlite:///{tmp_path / 'tracking.db'}"
    monkeypatch.setenv(config.URL_VARIABLE, url)
    config.upgrade_database(url)
    yield url
    config.dispose_engines()


@pytest.fixture
def mail_sink(tmp_path, monkeypatch):
    """The project's mail settings (SMTP_HOST, SMTP_PORT) pointed at a real SMTP server started for the
    test (devtools/mailbox.py), and a verification key of its own."""
    from devtools.mailbox import receiving_mail

    with receiving_mail(tmp_path / "mail") as sink:
        for name, value in sink.environment.items():
            monkeypatch.setenv(name, value)
        yield sink


_skip_reasons: List[str] = []


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if os.environ.get("TRACKING_TESTS_POSTGRES") == "0":
        _skip("PostgreSQL tests disabled by TRACKING_TESTS_POSTGRES=0")
    try:
        server = PostgresServer()
    except PostgresUnavailable as error:
        _skip(f"PostgreSQL unavailable: {error}")
    try:
        server.start()
    except (PostgresUnavailable, subprocess.TimeoutExpired, OSError) as error:
        server.stop()
        _skip(f"PostgreSQL could not start: {error}")
    try:
        yield server
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
        terminalreporter.write_line(f"PostgreSQL tests: {reason}", yellow=True)
