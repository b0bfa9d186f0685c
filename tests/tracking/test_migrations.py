"""The Alembic revisions are what creates the schema, and they match the models."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import inspect, text

from tracking import accounts, config
from tracking.models import Request, metadata
from tracking.scope import EVERYTHING
from tracking.unit_of_work import UnitOfWork

HEAD = "f2b9d4e6a8c1"
BEFORE_SCOPES = "b3c1f0d2e4a7"  # staff accounts, before organisations, roles and the audit log


def _downgrade(url: str, revision: str) -> None:
    alembic_config = Config(str(config.ALEMBIC_INI))
    alembic_config.attributes["configure_logging"] = False
    with config.get_engine(url).begin() as connection:
        alembic_config.attributes["connection"] = connection
        command.downgrade(alembic_config, revision)


def test_migrations_create_the_schema_in_an_empty_database(database_url):
    engine = config.get_engine(database_url)
    assert inspect(engine).get_table_names() == []
    config.upgrade_database(database_url)
    schema = inspect(engine)
    assert {"requests", "status_history", "alembic_version"} <= set(schema.get_table_names())
    assert config.current_revision(database_url) == HEAD
    assert {"reference", "organization", "right", "name_encrypted", "email_encrypted", "description_encrypted",
            "email_hash", "language", "channel", "status", "created_at", "due_at", "paused_at", "deleted_at"} <= {c["name"] for c in schema.get_columns("requests")}
    assert {"request_id", "at", "from_status", "to_status", "by", "note"} <= {
        c["name"] for c in schema.get_columns("status_history")}
    assert "uq_requests_reference" in {c["name"] for c in schema.get_unique_constraints("requests")}
    assert {"ix_requests_status", "ix_requests_organization"} <= {i["name"] for i in schema.get_indexes("requests")}
    assert [fk["name"] for fk in schema.get_foreign_keys("status_history")] == [
        "fk_status_history_request_id_requests"]


def test_the_models_and_the_migrations_describe_the_same_schema(migrated_url):
    with config.get_engine(migrated_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    assert differences == []


def test_downgrade_removes_everything_and_upgrade_is_repeatable(database_url):
    migrated_url = database_url
    config.upgrade_database(migrated_url)
    config.upgrade_database(migrated_url)  # already at head: nothing happens, nothing fails
    _downgrade(migrated_url, "base")
    assert set(inspect(config.get_engine(migrated_url)).get_table_names()) <= {"alembic_version"}
    config.upgrade_database(migrated_url)
    assert config.current_revision(migrated_url) == HEAD


def test_timestamps_come_back_timezone_aware_in_utc(uow):
    paris_evening = datetime.fromisoformat("2024-01-31T23:30:00+01:00")
    with uow:
        uow.requests.add(Request(reference="RR-2345-6789", organization="cesi", right="access", name="n",
                                 email="n@example.com", description="", language="fr", status="received",
                                 created_at=paris_evening, due_at=paris_evening))
        uow.commit()
    with uow:
        stored = uow.requests.get("RR-2345-6789", scope=EVERYTHING)
        assert stored.created_at == paris_evening
        assert stored.created_at.tzinfo == timezone.utc and stored.created_at.hour == 22


def test_naive_timestamps_are_refused(uow):
    with uow:
        uow.requests.add(Request(reference="RR-2345-6789", organization="cesi", right="access", name="n",
                                 email="n@example.com", description="", language="fr", status="received",
                                 created_at=datetime(2024, 1, 1), due_at=datetime(2024, 2, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            uow.commit()


def test_accounts_made_before_the_organisations_existed_become_administrators(database_url):
    """They had full access before: the migration keeps it (README, Staff accounts), and downgrading keeps them."""
    config.upgrade_database(database_url, revision=BEFORE_SCOPES)
    with config.get_engine(database_url).begin() as connection:
        connection.execute(text("INSERT INTO staff_users (username, password_hash, created_at, failed_logins) "
                                "VALUES ('old', :hash, :now, 0)"),
                           {"hash": PasswordHasher().hash("an old long password"), "now": datetime.now(timezone.utc)})
    config.upgrade_database(database_url)
    uow = UnitOfWork(url=database_url)
    identity = accounts.find_session(accounts.open_session("old", uow=uow), uow=uow)
    assert identity.is_admin and identity.scope.is_everything
    accounts.create_user("new", "a new long password", organizations=["cesi"], actor="cli:test", uow=uow)
    assert {(a.username, a.is_admin) for a in accounts.list_accounts(uow=uow)} == {("old", True), ("new", False)}

    _downgrade(database_url, BEFORE_SCOPES)
    with config.get_engine(database_url).connect() as connection:
        assert [row.username for row in connection.execute(text("SELECT username FROM staff_users ORDER BY id"))] \
            == ["old", "new"]
    config.upgrade_database(database_url)
    assert config.current_revision(database_url) == HEAD
    # Upgrading again makes every account then present an administrator, as the first time.
    assert {(a.username, a.is_admin) for a in accounts.list_accounts(uow=uow)} == {("old", True), ("new", True)}
