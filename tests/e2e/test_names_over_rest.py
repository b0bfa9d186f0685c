"""Names at the name prompt, through the real Rasa and action servers: a name that is also a word
("Pierre Merci", "Marc Stop", "Julie Bye") is filed as typed, whatever the NLU makes of it; only a
cancel phrase stops a request, and then nothing is written."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from tracking import service
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
NAMES = yaml.safe_load((ROOT / "data" / "eval" / "names.yaml").read_text("utf-8"))
CANCELLED = {variation["text"] for variation in
             yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]["utter_request_cancelled"]}
# Every word-like name would take a minute or two; the unit tests check all of them, this a sample.
SAMPLE = NAMES["word_like"][::4] + NAMES["world"][::40]
OPERATOR = operator("test")  # the command line's access: every organisation


def _rows(url: str, email: str):
    return [row for row in service.list_requests(caller=OPERATOR, uow=UnitOfWork(url=url)) if row.email == email]


@pytest.mark.parametrize("name", SAMPLE)
def test_a_name_is_filed_as_typed(assistant, tracking_db_url, mail, name):
    sender, email = assistant.new_sender(), f"n.{uuid.uuid4().hex[:10]}@example.org"
    metadata = {"organization": "akteos", "language": "fr"}
    assistant.text("Je veux accéder à mes données", sender, metadata)
    assistant.text(name, sender, metadata)
    summary = assistant.text(email, sender, metadata)
    assert name in summary and email in summary
    assistant.text("oui", sender, metadata)
    assistant.text(mail.latest_code(email), sender, metadata)  # the code mailed to the address
    assert [row.name for row in _rows(tracking_db_url, email)] == [name]


@pytest.mark.parametrize("phrase", ["annuler", "Never mind", "non"])
def test_a_cancel_phrase_at_the_name_prompt_files_nothing(assistant, tracking_db_url, phrase):
    sender, email = assistant.new_sender(), f"c.{uuid.uuid4().hex[:10]}@example.org"
    metadata = {"organization": "cesi", "language": "en"}
    assistant.text("I want to delete my data", sender, metadata)
    stopped = assistant.text(phrase, sender, metadata)
    assert stopped in CANCELLED  # the person is told the request stopped and nothing was written
    assistant.text(email, sender, metadata)
    assistant.text("yes", sender, metadata)
    assert _rows(tracking_db_url, email) == []


ASK_EMAIL = {variation["condition"][0]["value"]: variation["text"] for variation in
             yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]["utter_ask_email"]}


@pytest.mark.parametrize("name,lang", [("Nina Non", "en"), ("Bruno Merci", "en"), ("John Smith", "fr"),
                                       ("Mary Rose Butler", "fr")])
def test_a_name_in_another_language_does_not_change_the_conversation_language(assistant, name, lang):
    sender = assistant.new_sender()
    metadata = {"organization": "cesi", "language": lang}
    assistant.text("I want to delete my data" if lang == "en" else "Je veux supprimer mes données", sender, metadata)
    assert assistant.text(name, sender, metadata) == ASK_EMAIL[lang]
