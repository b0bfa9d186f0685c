"""Shared fixtures: the knowledge base and the domain, loaded once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.loading import load_knowledge_base
from knowledge.model import KnowledgeBase

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
    from tracking import config

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
