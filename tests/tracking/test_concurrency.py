"""Many people filing at the same moment, and staff racing on one request, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from tracking import config, encryption, service
from tracking.scope import operator
from tracking.service import ConcurrentChange, TransitionRefused
from tracking.unit_of_work import UnitOfWork

SUBMISSIONS = 50
OPERATOR = operator("test")  # the command line's access: every organisation


def test_fifty_simultaneous_submissions_are_all_kept_with_distinct_references(migrated_url):
    start = threading.Barrier(SUBMISSIONS)

    def file_one(index: int):
        start.wait()  # all threads hit the database at the same moment
        return service.submit_request(organization=("cesi", "acta", "akteos", "cartesia", "activpartners")[index % 5],
                                      right="erasure", name=f"Person {index}", email=f"person{index}@example.com",
                                      description=f"request number {index}", language="fr",
                                      uow=UnitOfWork(url=migrated_url))

    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        records = list(pool.map(file_one, range(SUBMISSIONS), timeout=120))

    assert len(records) == SUBMISSIONS
    assert len({record.reference for record in records}) == SUBMISSIONS
    with config.get_engine(migrated_url).connect() as connection:
        rows = connection.execute(text("SELECT reference, email_encrypted, description_encrypted FROM requests")).all()
        history = connection.execute(text("SELECT request_id, count(*) FROM status_history GROUP BY request_id")).all()
    assert sorted(row.reference for row in rows) == sorted(record.reference for record in records)
    assert {(encryption.decrypt(row[1], "email"), encryption.decrypt(row[2], "description")) for row in rows} == {
        (f"person{i}@example.com", f"request number {i}") for i in range(SUBMISSIONS)}
    assert len(history) == SUBMISSIONS and {count for _, count in history} == {1}


def test_staff_racing_on_one_request_change_it_exactly_once(migrated_url):
    record = service.submit_request(organization="cesi", right="access", name="Jane Doe", email="jane@example.com",
                                    uow=UnitOfWork(url=migrated_url))
    racers = 10
    start = threading.Barrier(racers)

    def take_it(index: int):
        start.wait()
        try:
            service.change_status(record.reference, "in_progress", by=f"staff{index}", note="mine",
                                  caller=OPERATOR, uow=UnitOfWork(url=migrated_url))
            return "won"
        except (ConcurrentChange, TransitionRefused):
            return "refused"

    with ThreadPoolExecutor(max_workers=racers) as pool:
        outcomes = list(pool.map(take_it, range(racers), timeout=60))
    assert outcomes.count("won") == 1 and outcomes.count("refused") == racers - 1
    history = service.get_request(record.reference, caller=OPERATOR, uow=UnitOfWork(url=migrated_url)).history
    assert [entry.to_status.value for entry in history] == ["received", "in_progress"]
