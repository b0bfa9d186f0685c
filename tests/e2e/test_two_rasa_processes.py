"""Served as `RASA_WORKERS=2 make run` serves: two Rasa processes sharing conversations through Redis.

Each message may land in either process, so a request dialogue only reaches its end if every
process sees what the other was told. Redis is Debian's (scripts/install_redis.sh).
"""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.servers import process_tree, redis_server
from e2e_servers import running_assistant
from tracking import service
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork

pytestmark = pytest.mark.e2e
PEOPLE = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"]
OPERATOR = operator("test")  # the command line's access: every organisation


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory, mail):
    workdir: Path = tmp_path_factory.mktemp("two-workers")
    url = f"sqlite:///{workdir / 'tracking.db'}"
    with redis_server() as port, running_assistant(workdir, tracking_db_url=url, rasa_workers=2,
                                                   redis_port=port, env=mail.environment) as client:
        yield client, url, mail


def _file_a_request(client, mail, name: str) -> str:
    sender, email = client.new_sender(), f"{name.split()[0].lower()}.{uuid.uuid4().hex[:6]}@example.com"
    metadata = {"organization": "cesi", "language": "en"}
    client.text("I want to access my data", sender, metadata)
    client.text(name, sender, metadata)
    summary = client.text(email, sender, metadata)
    assert name in summary and email in summary, summary       # the summary of this person's request, not another's
    client.text("yes", sender, metadata)
    confirmation = client.text(mail.latest_code(email), sender, metadata)  # the code mailed to this person
    assert "RR-" in confirmation, confirmation
    return email


def test_two_rasa_processes_answer(two_processes):
    client, _, _ = two_processes
    rasa = client.processes[0]
    workers = [pid for pid in process_tree(rasa.pid) if pid != rasa.pid]
    assert len(workers) >= 2, "Sanic did not start two Rasa workers"
    answer = client.text("Who is the data controller?", client.new_sender(), {"organization": "cesi", "language": "en"})
    assert "CESI" in answer and "Source" in answer


def test_concurrent_request_dialogues_each_end_with_their_own_row(two_processes):
    client, url, mail = two_processes
    with ThreadPoolExecutor(max_workers=len(PEOPLE)) as pool:
        emails = dict(zip(PEOPLE, pool.map(lambda name: _file_a_request(client, mail, name), PEOPLE)))
    rows = {row.email: row for row in service.list_requests(caller=OPERATOR, uow=UnitOfWork(url=url))}
    for name, email in emails.items():
        assert (rows[email].name, rows[email].right, rows[email].organization) == (name, "access", "cesi")
    assert len(rows) == len(PEOPLE)
