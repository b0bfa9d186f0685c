"""A sixth organisation is onboarded with data files only, and served: no code, domain or template edit.

A copy of data/ gets a fictitious organisation (tests/e2e/sixth_organization/: its policy text, its
knowledge file, its names for the NLU); a model is trained on that copy with the project's domain and
config, and the real Rasa and action servers serve it with ASSISTANT_DATA_DIR pointing at the copy.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from devtools import servers
from e2e_servers import LOGS, RestClient
from knowledge import deadlines
from knowledge.loading import load_knowledge_base
from knowledge.rendering import long_date
from tracking import config as tracking_config
from tracking import service
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork

pytestmark = [pytest.mark.e2e, pytest.mark.long(minutes=3)]  # the file's rough duration: longest first
ROOT = servers.ROOT
FIXTURE = Path(__file__).resolve().parent / "sixth_organization"
SLUG, NAME = "formavia", "Formavia Conseil"
TRAINING_TIMEOUT_S = 900
OPERATOR = operator("test")  # the command line's access: every organisation


def _data_with_a_sixth_organization(data: Path) -> None:
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("eval"))
    shutil.copy(FIXTURE / "formavia.fr.txt", data / "policies")
    shutil.copy(FIXTURE / "formavia.yml", data / "knowledge")
    shutil.copy(FIXTURE / "nlu_aliases.yml", data / "nlu" / "organizations_formavia.yml")


@pytest.fixture(scope="module")
def sixth(tmp_path_factory) -> Iterator[Tuple[RestClient, str, Path]]:
    work = tmp_path_factory.mktemp("sixth-organization")
    data = work / "data"
    _data_with_a_sixth_organization(data)
    env = servers.server_environment(f"sqlite:///{work / 'tracking.db'}", extra={"ASSISTANT_DATA_DIR": str(data)})
    # The project's own training command, on the copy's data (domain and config unchanged).
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / "sixth-organization-train.log", "w") as log:
        subprocess.run([sys.executable, "scripts/train.py", "--out", str(work / "models")], cwd=ROOT, env=env,
                       stdout=log, stderr=subprocess.STDOUT, check=True, timeout=TRAINING_TIMEOUT_S)
    tracking_db_url = env[tracking_config.URL_VARIABLE]
    tracking_config.upgrade_database(tracking_db_url)
    with servers.started_assistant(servers.latest_model(work / "models"), work, env, "e2e-sixth", logs=LOGS) as running:
        yield RestClient(running.url, [running.rasa, running.actions]), tracking_db_url, data


def _buttons(replies: List[Dict]) -> Dict[str, str]:
    return {button["title"]: button["payload"] for reply in replies for button in reply.get("buttons") or []}


def _text(replies: List[Dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def test_the_new_organisation_is_offered_as_a_button_and_answers_with_its_citation(sixth):
    assistant, _, data = sixth
    kb = load_knowledge_base(data)
    formavia = kb.organizations[SLUG]
    sender = assistant.new_sender()
    asked = assistant.say("Combien de temps gardez-vous les données des stagiaires ?", sender)
    buttons = _buttons(asked)
    assert list(buttons) == [org.name for org in kb.organizations_by_name()] and NAME in buttons

    answer = _text(assistant.say(buttons[NAME], sender))
    assert formavia.fact("formavia-retention-trainees").answer["fr"] in answer
    assert formavia.policy_title["fr"] in answer and "« 2. Durée de conservation »" in answer
    passage = _text(assistant.say("source ?", sender))
    assert formavia.fact("formavia-retention-trainees").source.quote in passage

    # The greeting and the list of organisations name it too: nothing in the domain lists them.
    assert NAME in assistant.text("Quels organismes couvrez-vous ?", assistant.new_sender())


def test_the_widget_metadata_selects_it_and_it_is_named_in_questions(sixth):
    assistant, _, data = sixth
    formavia = load_knowledge_base(data).organizations[SLUG]
    answer = assistant.text("How quickly do you answer a request?", assistant.new_sender(),
                            {"organization": SLUG, "language": "en"})
    assert formavia.fact("formavia-response-delay").answer["en"] in answer
    assert formavia.policy_title["en"] in answer
    named = assistant.text("Qui est le responsable du traitement chez Formavia ?", assistant.new_sender())
    assert formavia.fact("formavia-controller").answer["fr"] in named


def test_a_request_is_filed_with_the_deadline_its_file_states_without_the_email_check_its_file_turns_off(sixth):
    assistant, tracking_db_url, data = sixth
    formavia = load_knowledge_base(data).organizations[SLUG]
    sender, email = assistant.new_sender(), f"camille.{uuid.uuid4().hex[:8]}@example.org"
    metadata = {"organization": SLUG, "language": "fr"}
    assistant.text("Je veux faire effacer mes données", sender, metadata)
    assistant.text("Camille Martin", sender, metadata)
    summary = assistant.text(email, sender, metadata)
    assert NAME in summary and "Camille Martin" in summary
    filed = assistant.text("oui", sender, metadata)  # verify_email: false in formavia.yml: no code asked

    rows = [row for row in service.list_requests(caller=OPERATOR, uow=UnitOfWork(url=tracking_db_url))
            if row.email == email]
    assert [(row.organization, row.right) for row in rows] == [(SLUG, "erasure")]
    row = rows[0]
    # 45 days, as formavia.yml states, not the one-month GDPR default.
    assert row.due_at == deadlines.due_date(formavia, row.created_at)
    assert (row.due_at - row.created_at).days == 45
    assert re.search(re.escape(row.reference), filed) and long_date(row.due_at.date(), "fr") in filed
    assert formavia.contact["fr"] in filed
