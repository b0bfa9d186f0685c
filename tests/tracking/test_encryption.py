"""Requesters' names, e-mails and descriptions encrypted at rest (SQLite and PostgreSQL): what the
database holds, the migration of rows filed before, lookups by e-mail, and key rotation."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from tracking import cli as staff_cli
from tracking import config, encryption, service
from tracking.encryption import DecryptionError
from tracking.scope import operator
from tracking.service import RequestFilters
from tracking.unit_of_work import UnitOfWork

OPERATOR = operator("test")
BEFORE_ENCRYPTION = "d8f3b6a1c2e9"


def raw_rows(url):
    with config.get_engine(url).connect() as connection:
        return [dict(row) for row in connection.execute(text("SELECT * FROM requests ORDER BY id")).mappings()]


def leaked(url, *values):
    """Which of `values` the requests table holds in clear, in any column."""
    everything = repr(raw_rows(url))
    return [value for value in values if value in everything]


def file_one(uow, name="Zoé Secret", email="Zoe.Secret@Example.org", description="mon dossier médical"):
    return service.submit_request(organization="cesi", right="access", name=name, email=email,
                                  description=description, uow=uow)


def test_the_database_holds_no_name_email_or_description_in_clear_yet_every_lookup_works(uow, migrated_url):
    record = file_one(uow)
    assert leaked(migrated_url, "Zoé", "Secret", "zoe", "Zoe", "example.org", "médical") == []
    assert service.find_for_requester(record.reference, "zoe.secret@example.ORG", uow=uow).name == "Zoé Secret"
    assert service.find_for_requester(record.reference, "someone@example.org", uow=uow) is None
    found = service.list_requests(RequestFilters(search="Zoe.Secret@example.org"), caller=OPERATOR, uow=uow)
    assert [(r.reference, r.email, r.description) for r in found] == [
        (record.reference, "Zoe.Secret@example.org", "mon dossier médical")]
    assert service.list_requests(RequestFilters(search="other@example.org"), caller=OPERATOR, uow=uow) == []


def test_the_migration_encrypts_requests_filed_before_it_and_the_downgrade_decrypts_them(database_url):
    config.upgrade_database(database_url, revision=BEFORE_ENCRYPTION)
    with config.get_engine(database_url).begin() as connection:
        connection.execute(text(
            "INSERT INTO requests (reference, organization, \"right\", name, email, description, language, status, "
            "created_at, due_at, version) VALUES ('RR-2345-6789', 'cesi', 'access', 'Old Name', 'old@example.com', "
            "'old story', 'fr', 'received', :now, :now, 1)"), {"now": "2024-01-02 10:00:00"})
    config.upgrade_database(database_url)
    assert leaked(database_url, "Old Name", "old@example.com", "old story") == []
    uow = UnitOfWork(url=database_url)
    found = service.find_for_requester("RR-2345-6789", "old@example.com", uow=uow)
    assert (found.name, found.email, found.description) == ("Old Name", "old@example.com", "old story")
    assert len(service.list_requests(RequestFilters(search="old@example.com"), caller=OPERATOR, uow=uow)) == 1

    alembic_downgrade(database_url, BEFORE_ENCRYPTION)
    with config.get_engine(database_url).connect() as connection:
        assert tuple(connection.execute(text("SELECT name, email, description FROM requests")).one()) == (
            "Old Name", "old@example.com", "old story")


def alembic_downgrade(url, revision):
    from alembic import command
    from alembic.config import Config

    alembic_config = Config(str(config.ALEMBIC_INI))
    alembic_config.attributes["configure_logging"] = False
    with config.get_engine(url).begin() as connection:
        alembic_config.attributes["connection"] = connection
        command.downgrade(alembic_config, revision)


def test_rotate_key_re_encrypts_every_request_under_a_new_key_and_keeps_the_old_for_reading(
        migrated_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKING_ENCRYPTION_KEYS", raising=False)
    uow = UnitOfWork(url=migrated_url)
    first = file_one(uow)
    old_id = raw_rows(migrated_url)[0]["name_encrypted"].split(":")[0]
    out = io.StringIO()
    assert staff_cli.main(["--database-url", migrated_url, "rotate-key"], out=out) == 0
    key_file = tmp_path / "data-encryption.key"
    new_id = encryption.key_ring().current_id
    assert new_id != old_id and f"Re-encrypted 1 request under key {new_id} (new)" in out.getvalue()
    assert len(key_file.read_text().split()) == 2 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    row = raw_rows(migrated_url)[0]
    assert {row[f"{field}_encrypted"].split(":")[0] for field in ("name", "email", "description")} == {new_id}
    # The old key can now go: every row reads under the new one alone.
    key_file.write_text(key_file.read_text().split()[0] + "\n")
    assert service.find_for_requester(first.reference, "zoe.secret@example.org", uow=uow).name == "Zoé Secret"
    # A row under a key the ring no longer has is an error, never garbage or an empty name.
    key_file.write_text("00" * 32 + "\n")
    with pytest.raises(DecryptionError):
        service.find_for_requester(first.reference, "zoe.secret@example.org", uow=uow)


def test_a_new_lookup_key_finds_nothing_until_rotate_key_recomputes_the_hashes(migrated_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path))
    uow = UnitOfWork(url=migrated_url)
    file_one(uow)
    search = RequestFilters(search="Zoe.Secret@example.org")
    monkeypatch.setenv("TRACKING_LOOKUP_KEY", "a new lookup key")
    assert service.list_requests(search, caller=OPERATOR, uow=uow) == []
    assert staff_cli.main(["--database-url", migrated_url, "rotate-key", "--keep-key"], out=io.StringIO()) == 0
    assert len(service.list_requests(search, caller=OPERATOR, uow=uow)) == 1
