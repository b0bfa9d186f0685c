"""The `conversation` fixture: rights requests at their summary, with a tracking database and a mail sink."""
from __future__ import annotations

from typing import Any

import pytest

from mail_flow import Conversation


@pytest.fixture
def conversation(domain, tracking_db, mail_sink):
    def start(**options: Any) -> Conversation:
        return Conversation(domain, **options)
    return start
