"""`python -m tracking purge`: closed (or deleted) requests erased with their history once their
organisation's retention period is over, on SQLite and PostgreSQL; open ones and recent ones kept."""
from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from knowledge.loading import load_knowledge_base
from tracking import audit, config, retention, service
from tracking import cli as staff_cli
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork

OPERATOR = operator("test")
NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)


def file(uow, organization, closed_days_ago=None, status="completed", deleted_days_ago=None, filed_days_ago=800):
    filed_at = NOW - timedelta(days=filed_days_ago)
    record = service.submit_request(organization=organization, right="access", name="Ana Old",
                                    email="ana.old@example.com", uow=uow, now=filed_at)
    if closed_days_ago is not None:
        service.change_status(record.reference, status, by="staff", note="done", caller=OPERATOR, uow=uow,
                              now=NOW - timedelta(days=closed_days_ago))
    if deleted_days_ago is not None:
        service.delete_request(record.reference, by="staff", note="test filing", caller=OPERATOR, uow=uow,
                               now=NOW - timedelta(days=deleted_days_ago))
    return record.reference


def references(url):
    with config.get_engine(url).connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT reference FROM requests"))}


def history_rows(url):
    with config.get_engine(url).connect() as connection:
        return connection.execute(text("SELECT count(*) FROM status_history")).scalar_one()


def test_purge_erases_only_requests_closed_longer_ago_than_their_organisations_retention(uow, migrated_url):
    knowledge = load_knowledge_base()
    short = dataclasses.replace(knowledge.organizations["acta"], closed_request_retention_days=30)
    knowledge = dataclasses.replace(knowledge, organizations={**knowledge.organizations, "acta": short})
    expired = file(uow, "acta", closed_days_ago=31)
    rejected = file(uow, "acta", closed_days_ago=40, status="rejected")
    deleted = file(uow, "acta", deleted_days_ago=31)
    recent = file(uow, "acta", closed_days_ago=29)
    still_open = file(uow, "acta")
    default_kept = file(uow, "cesi", closed_days_ago=400)  # cesi keeps the default three years
    before = history_rows(migrated_url)

    assert retention.purge(actor="cli:ops", dry_run=True, uow=uow, knowledge=knowledge, now=NOW) == {"acta": 3}
    assert len(references(migrated_url)) == 6
    assert retention.purge(actor="cli:ops", uow=uow, knowledge=knowledge, now=NOW) == {"acta": 3}
    assert references(migrated_url) == {recent, still_open, default_kept}
    assert history_rows(migrated_url) == before - 2 - 2 - 2  # filed + closed (or deleted) of each erased one
    assert retention.purge(actor="cli:ops", uow=uow, knowledge=knowledge, now=NOW) == {}
    logged = [entry for entry in audit.entries(uow=uow) if entry.actor == "cli:ops"]
    assert [(entry.organization, entry.rows) for entry in logged] == [(None, 0), ("acta", 3), ("acta", 3)]
    assert not any(ref in repr(logged) for ref in (expired, rejected, deleted))  # counts only


def test_the_purge_command_uses_each_organisations_data(migrated_url):
    uow = UnitOfWork(url=migrated_url)
    old = file(uow, "cesi", closed_days_ago=2000, filed_days_ago=2100)  # NOW is earlier than the real now
    kept = file(uow, "cesi", closed_days_ago=10)
    out = io.StringIO()
    assert staff_cli.main(["--database-url", migrated_url, "purge", "--dry-run"], out=out) == 0
    assert "Would erase 1 request of cesi" in out.getvalue() and len(references(migrated_url)) == 2
    out = io.StringIO()
    assert staff_cli.main(["--database-url", migrated_url, "purge"], out=out) == 0
    assert "Erased 1 in all" in out.getvalue() and references(migrated_url) == {kept} and old != kept
