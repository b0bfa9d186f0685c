"""A conversation left idle for CONVERSATION_TTL seconds is forgotten by the real Rasa server
(issue 14, item 3); one still in use is kept."""
from __future__ import annotations

import time

import pytest

from e2e_servers import running_assistant

pytestmark = pytest.mark.e2e

TTL = 4


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory, mail):
    with running_assistant(tmp_path_factory.mktemp("ttl"), env={**mail.environment, "CONVERSATION_TTL": str(TTL)}) as client:
        yield client


def test_an_idle_conversation_is_forgotten_and_an_active_one_kept(short_lived):
    kept, forgotten = short_lived.new_sender(), short_lived.new_sender()
    for sender in (kept, forgotten):
        short_lived.say("How long does CESI keep my diploma data?", sender, {"organization": "cesi", "language": "en"})
    for _ in range(3):
        time.sleep(TTL / 2)
        assert "dpo@cesi.fr" in short_lived.text("Who is the DPO?", kept).lower()  # remembered: the organisation
    assert "dpo@cesi.fr" not in short_lived.text("Who is the DPO?", forgotten).lower()
