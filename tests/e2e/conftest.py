"""The assistant every end-to-end test talks to, and the mail sink its action server sends to: started
once per test session."""
from __future__ import annotations

from typing import Iterator

import pytest

from devtools.mailbox import MailSink, receiving_mail
from e2e_servers import RestClient, running_assistant


def pytest_collection_modifyitems(items) -> None:
    """Files marked `long` first, longest first. make test spreads the files over two workers
    (pytest-xdist, whole files): started early, a long file runs while the other worker gets through
    the short ones, instead of ending the run alone. The sort is stable: files keep their order."""
    def minutes(item) -> float:
        long = item.get_closest_marker("long")
        return long.kwargs["minutes"] if long else 0.0
    items.sort(key=minutes, reverse=True)


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
