"""When part of the service is down, the person gets an apology in their language, not silence."""
from __future__ import annotations

import pytest

from language.detection import detect_language

from e2e_servers import running_assistant

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def assistant_without_actions(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("no-actions"), with_action_server=False) as client:
        yield client


@pytest.mark.parametrize("question,language", [
    ("How long does CESI keep my diploma data?", "en"),
    ("Combien de temps le CESI garde-t-il mes données ?", "fr"),
])
def test_action_server_down_gets_an_apology_in_the_persons_language(assistant_without_actions, question, language):
    messages = assistant_without_actions.say(question, assistant_without_actions.new_sender(),
                                             {"organization": "cesi"})
    assert len(messages) == 1
    assert detect_language(messages[0]["text"]) == language
    assert "dpo@cesi.fr" not in messages[0]["text"]  # an apology, not a made-up answer

