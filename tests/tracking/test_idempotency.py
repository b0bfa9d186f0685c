"""Idempotent submissions (SQLite and PostgreSQL): the same confirmation submitted again, one after the
other or many at once (a retry after a database restart), files one request and returns it each time."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from tracking import config, service
from tracking.unit_of_work import UnitOfWork

ATTEMPTS = 20


def submit(url, key, name="Jane Doe"):
    return service.submit_request(organization="cesi", right="access", name=name, email="jane@example.com",
                                  uow=UnitOfWork(url=url), idempotency_key=key)


def request_count(url):
    with config.get_engine(url).connect() as connection:
        return connection.execute(text("SELECT count(*) FROM requests")).scalar_one()


def test_submitting_again_with_the_same_key_returns_the_first_request_and_files_nothing(migrated_url):
    first = submit(migrated_url, "tg-abc:confirmation-1")
    again = submit(migrated_url, "tg-abc:confirmation-1", name="Changed Meanwhile")
    assert again.reference == first.reference and again.name == "Jane Doe"
    other = submit(migrated_url, "tg-abc:confirmation-2")
    without = [submit(migrated_url, None), submit(migrated_url, None)]  # no key: each call files one
    assert len({first.reference, other.reference, *(record.reference for record in without)}) == 4
    assert request_count(migrated_url) == 4
    with config.get_engine(migrated_url).connect() as connection:
        stored = connection.execute(text("SELECT idempotency_key FROM requests WHERE idempotency_key IS NOT NULL")).all()
    assert all("tg-abc" not in row[0] for row in stored)  # only a hash of the caller's key


def test_many_simultaneous_submissions_of_one_confirmation_file_it_exactly_once(migrated_url):
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        records = list(pool.map(lambda _: submit(migrated_url, "rest-xyz:confirm"), range(ATTEMPTS), timeout=120))
    assert len({record.reference for record in records}) == 1
    assert request_count(migrated_url) == 1
