"""The assistant every end-to-end test talks to, and the mail sink its action server sends to: started
once per test session."""
from __future__ import annotations

from typing import Iterator

import pytest

from devtools.mailbox import MailSink, receiving_mail
from e2e_servers import RestClient, running_assistant


@pytest.fixture(scope="session")
def tracking_db_url(tmp_path_factory) -> str:
    """The temporary database the e2e action server files rights requests in."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e-tracking') / 'tracking.db'}"


@pytest.fixture(scope="session")
def mail(tmp_path_factory) -> Iterator[MailSink]:
    """A real SMTP server (aiosmtpd) in the test process: every mail the action server sends."""
    with receiving_mail(tmp_path_factory.mktemp("e2e-mail")) as sink:
        yield sink


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, tracking_db_url, mail) -> Iterator[RestClient]:
    with running_assistant(tmp_path_factory.mktemp("e2e"), tracking_db_url=tracking_db_url,
                           env=mail.environment) as client:
        yield client
