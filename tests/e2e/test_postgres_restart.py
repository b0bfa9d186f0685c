"""PostgreSQL restarted while 100 conversations confirm their rights requests at once: every confirmed
request is in the database exactly once, none lost, none doubled.

Black box: the real Rasa and action servers, the tracking database on a real PostgreSQL (the session's
`postgres_server`, devtools/postgres.py), the codes read from the mail sink. 100 conversations are brought
to their last step (the code mailed after the summary's "yes"), then all type their code at once, 8 at a
time; once a quarter of them are filed, PostgreSQL is shut down (`pg_ctl stop -m fast`, as a restart
does) and kept down longer than the action's retries last (tracking.transient), then started again.
Confirmations in flight across the shutdown are filed by the retries; those that arrive while it is down
get the apology and the summary again, and their person's next "yes" files the request once.
"""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional

import pytest

from knowledge.loading import load_knowledge_base
from tracking import service, transient
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork

from e2e_servers import RestClient, running_assistant
from test_rights_requests import unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.long(minutes=1.2)]  # the file's rough duration: longest first
KB = load_knowledge_base()
REFERENCE = re.compile(r"\bRR-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
CONVERSATIONS = 100
AT_ONCE = 8          # conversations talking at the same time: a website's busy minute, not a load test
RESTART_AFTER = 25   # filed requests before PostgreSQL goes down: the rest confirm around and after it
# Down for longer than the action's retries last, so that some confirmations exhaust them (the apology).
OUTAGE_SECONDS = sum(transient.RETRY_DELAYS) + 3
MAX_CONFIRMATIONS = 4  # a "yes" after each apology; more would mean the form never comes back
FIRST_NAMES = ("Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès", "Jules")
LAST_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau")


@dataclass
class Person:
    sender: str
    name: str
    email: str
    organization: str
    code: str = ""
    reference: Optional[str] = None
    apologies: int = 0
    confirmations: int = 0
    last_reply: str = ""

    @property
    def metadata(self) -> Dict[str, str]:
        return {"organization": self.organization, "language": "en"}


@pytest.fixture(scope="module")
def tracking_on_postgres(postgres_server) -> str:
    return postgres_server.new_database()


@pytest.fixture(scope="module")
def assistant_on_postgres(tmp_path_factory, tracking_on_postgres, mail) -> Iterator[RestClient]:
    with running_assistant(tmp_path_factory.mktemp("e2e-postgres-restart"), tracking_db_url=tracking_on_postgres,
                           env=mail.environment) as client:
        yield client


def _to_the_code(assistant: RestClient, mail, person: Person) -> None:
    """Request, name, address, the summary's "yes": the code is mailed; it is read from the mail."""
    assistant.text("I want to delete my data", person.sender, person.metadata)
    assistant.text(person.name, person.sender, person.metadata)
    summary = assistant.text(person.email, person.sender, person.metadata)
    assert person.name in summary and person.email in summary, summary
    assistant.text("yes", person.sender, person.metadata)
    person.code = mail.latest_code(person.email)


def _confirm(assistant: RestClient, person: Person, message: str, apology: str) -> None:
    person.confirmations += 1
    reply = person.last_reply = assistant.text(message, person.sender, person.metadata)
    found = REFERENCE.search(reply)
    if found:
        person.reference = found.group(0)
    elif apology in reply:
        person.apologies += 1


def test_postgres_restart_while_100_conversations_confirm_files_each_request_exactly_once(
        assistant_on_postgres, tracking_on_postgres, postgres_server, mail, domain):
    assistant = assistant_on_postgres
    apology = next(variant["text"] for variant in domain["responses"]["utter_request_failed"]
                   if {"type": "slot", "name": "language", "value": "en"} in variant["condition"])
    organizations = sorted(KB.organizations)
    people = [Person(RestClient.new_sender(), f"{FIRST_NAMES[i % 10]} {LAST_NAMES[i // 10 % 10]}",
                     unique_email(f"restart{i}"), organizations[i % len(organizations)])
              for i in range(CONVERSATIONS)]
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        list(pool.map(lambda person: _to_the_code(assistant, mail, person), people))

    filed = threading.Semaphore(0)
    outage: List[float] = []

    def restart() -> None:
        if not all(filed.acquire(timeout=300) for _ in range(RESTART_AFTER)):
            return
        outage.append(time.monotonic())
        postgres_server.shut_down("fast")
        time.sleep(OUTAGE_SECONDS)
        postgres_server.start_again()
        outage.append(time.monotonic())

    def type_the_code(person: Person) -> None:
        _confirm(assistant, person, person.code, apology)
        if person.reference:
            filed.release()

    restarter = threading.Thread(target=restart, daemon=True)
    restarter.start()
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        list(pool.map(type_the_code, people))
    restarter.join(timeout=120)
    assert len(outage) == 2, "PostgreSQL was not restarted while the conversations confirmed"

    # Whoever got the apology is shown the summary again; their "yes" files it (once PostgreSQL is back).
    apologised = [person for person in people if person.apologies]
    while True:
        waiting = [person for person in people if person.reference is None
                   and person.apologies and person.confirmations < MAX_CONFIRMATIONS]
        if not waiting:
            break
        with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            list(pool.map(lambda person: _confirm(assistant, person, "yes", apology), waiting))

    unfiled = {person.sender: person.last_reply[:300] for person in people if person.reference is None}
    assert not unfiled, f"{len(unfiled)} conversations got no reference, e.g. {next(iter(unfiled.values()))}"
    assert apologised, "no confirmation arrived while PostgreSQL was down: the apology path was not exercised"

    rows = service.list_requests(caller=operator("test"), uow=UnitOfWork(url=tracking_on_postgres))
    by_email: Dict[str, list] = {}
    for row in rows:
        by_email.setdefault(row.email, []).append(row)
    doubled = {email: len(found) for email, found in by_email.items() if len(found) > 1}
    assert not doubled, f"requests filed more than once: {doubled}"
    assert sorted(by_email) == sorted(person.email for person in people)  # none lost, none without a conversation
    for person in people:
        [row] = by_email[person.email]
        assert (row.reference, row.name, row.organization, row.right) == \
            (person.reference, person.name, person.organization, "erasure")

    # The database is back for everything else: a status lookup, and a normal question.
    someone = apologised[0]
    assistant.text(f"where is my request {someone.reference}?", someone.sender, someone.metadata)
    assert someone.reference in assistant.text(someone.email, someone.sender, someone.metadata)
    cesi = KB.organizations["cesi"]
    answer = assistant.text("Who is the data protection officer at CESI?", RestClient.new_sender())
    assert cesi.name in answer and apology not in answer
