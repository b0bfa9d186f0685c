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


class MailSink:
    """A real SMTP server (apps/mailsink, aiosmtpd) in the test process, and what it received."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port

    def mails(self):
        from apps.mailsink.sink import mails

        return mails(self.folder)

    def mails_to(self, address: str):
        return [mail for mail in self.mails() if mail["To"] == address]


@pytest.fixture
def mail_sink(tmp_path, monkeypatch):
    """The project's mail settings (SMTP_HOST, SMTP_PORT) pointed at a mail sink started for the test,
    and a verification key of its own."""
    from apps.mailsink.sink import running_sink
    from devtools.servers import free_port

    sink = MailSink(tmp_path / "mail", free_port())
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(sink.port))
    monkeypatch.setenv("SMTP_FROM", "assistant@privacy.test")
    monkeypatch.setenv("VERIFICATION_SECRET", "tests-verification-secret")
    with running_sink(sink.folder, sink.port):
        yield sink
