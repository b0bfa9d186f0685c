"""The audit log: one row for each sign-in, sign-out, view, status change, export, search and account
change, written with the change itself, without a requester's personal data, and never rewritten."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import astuple

import pytest
from sqlalchemy import delete, select, update

from tracking import accounts, audit, service
from tracking.audit import AuditFilters
from tracking.models import AuditAction, AuditEntry
from tracking.scope import Caller, Scope
from tracking.service import InvalidRequest, RequestFilters

NAME, EMAIL, DESCRIPTION, NOTE = "Zoë Quillfeather", "zoe.q@privatemail.example.org", "my secret story", "Zoë said so"
PASSWORD = "correct horse battery staple"
CESI_STAFF = Caller(actor="carla", scope=Scope.of({"cesi"}))


@pytest.fixture
def filed(uow):
    return service.submit_request(organization="cesi", right="access", name=NAME, email=EMAIL,
                                  description=DESCRIPTION, uow=uow)


def rows(uow, **filters):
    return audit.entries(AuditFilters(**filters), uow=uow)


def test_each_staff_action_on_requests_leaves_one_row_without_personal_data(uow, filed):
    reference = filed.reference
    service.get_request(reference, caller=CESI_STAFF, uow=uow)
    service.change_status(reference, "rejected", by="carla", note=NOTE, caller=CESI_STAFF, uow=uow)
    service.list_requests(RequestFilters(search=EMAIL), caller=CESI_STAFF, uow=uow)
    service.list_requests(RequestFilters(search=reference), caller=CESI_STAFF, uow=uow)
    service.list_requests(RequestFilters(status="received"), caller=CESI_STAFF, uow=uow)  # plain listing: no row
    service.export_csv(io.StringIO(), RequestFilters(organization="cesi", search=EMAIL), caller=CESI_STAFF,
                       uow=uow)
    list(service.iter_json_lines(caller=CESI_STAFF, uow=uow))

    logged = [(row.actor, row.action.value, row.organization, row.reference, row.rows, row.detail)
              for row in reversed(rows(uow))]
    assert logged == [
        ("carla", "view_request", "cesi", reference, None, None),
        ("carla", "change_status", "cesi", reference, None, "received -> rejected"),
        ("carla", "search", None, None, 1, "search by e-mail"),
        ("carla", "search", None, reference, 1, "search by reference"),
        ("carla", "export", "cesi", None, 1, "requests as CSV (organization=cesi; search by e-mail)"),
        ("carla", "export", None, None, 1, "requests as JSON lines"),
    ]
    everything = repr([astuple(row) for row in rows(uow)]).lower()
    for personal in ("zoë", "quillfeather", "privatemail", "secret", "said so"):
        assert personal not in everything


def test_a_refused_change_or_a_request_out_of_scope_leaves_no_change_row(uow, filed):
    with pytest.raises(InvalidRequest):  # rejected without its reason
        service.change_status(filed.reference, "rejected", by="carla", caller=CESI_STAFF, uow=uow)
    acta_staff = Caller(actor="arno", scope=Scope.of({"acta"}))
    with pytest.raises(service.RequestNotFound):
        service.get_request(filed.reference, caller=acta_staff, uow=uow)
    assert rows(uow) == []


def test_sign_in_failures_sign_in_and_sign_out_are_recorded(uow):
    accounts.create_user("carla", PASSWORD, organizations=["cesi"], actor="cli:root", uow=uow)
    assert accounts.authenticate("carla", "wrong password!", uow=uow) is None
    assert accounts.authenticate("my password typed as a name", PASSWORD, uow=uow) is None
    token = accounts.open_session(accounts.authenticate("carla", PASSWORD, uow=uow), uow=uow)
    accounts.close_session(token, uow=uow)
    logged = [(row.actor, row.action.value, row.detail) for row in reversed(rows(uow))]
    assert logged == [
        ("cli:root", "manage_account", "create carla: organisations cesi"),
        ("carla", "sign_in_failed", "wrong password"),
        ("(unknown)", "sign_in_failed", "unknown username"),  # what was typed is not kept
        ("carla", "sign_in", None),
        ("carla", "sign_out", None),
    ]
    assert [row.actor for row in rows(uow, action="sign_in")] == ["carla"]


def test_rows_are_filtered_by_actor_action_and_day_newest_first(uow, filed):
    service.get_request(filed.reference, caller=CESI_STAFF, uow=uow)
    service.get_request(filed.reference, caller=Caller("ada", Scope(None)), uow=uow)
    assert [row.actor for row in rows(uow)] == ["ada", "carla"]
    assert [row.actor for row in rows(uow, actor="carla")] == ["carla"]
    assert rows(uow, action=AuditAction.EXPORT) == []
    today = rows(uow)[0].at.date().isoformat()
    since, until = audit.period(today, today)
    assert len(rows(uow, since=since, until=until)) == 2
    since, until = audit.period(None, "2000-01-01")
    assert rows(uow, since=since, until=until) == []
    with pytest.raises(audit.AuditError):
        audit.period("yesterday", None)
    with pytest.raises(audit.AuditError):
        rows(uow, action="delete_everything")


def test_the_audit_log_exports_as_csv_and_json_lines_and_the_export_is_recorded(uow, filed):
    service.get_request(filed.reference, caller=CESI_STAFF, uow=uow)
    out = io.StringIO()
    assert audit.export_csv(out, AuditFilters(actor="carla"), actor="ada", uow=uow) == 1
    exported = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["actor"], row["action"], row["reference"]) for row in exported] == [
        ("carla", "view_request", filed.reference)]
    lines = [json.loads(line) for line in audit.iter_json_lines(actor="ada", uow=uow)]
    assert [line["action"] for line in lines] == ["export", "view_request"]  # newest first
    assert set(lines[0]) == set(audit.AUDIT_FIELDS)
    assert lines[0]["actor"] == "ada" and lines[0]["rows"] == 1 and "audit log" in lines[0]["detail"]


def test_the_audit_log_is_append_only(uow, filed, migrated_url):
    service.get_request(filed.reference, caller=CESI_STAFF, uow=uow)
    with uow:
        entry = uow.session.execute(select(AuditEntry)).scalar_one()
        entry.actor = "someone else"
        with pytest.raises(RuntimeError, match="append-only"):
            uow.session.flush()
    with uow:
        uow.session.delete(uow.session.execute(select(AuditEntry)).scalar_one())
        with pytest.raises(RuntimeError, match="append-only"):
            uow.session.flush()
    for statement in (delete(AuditEntry), update(AuditEntry).values(actor="x")):
        with uow:
            with pytest.raises(RuntimeError, match="append-only"):
                uow.session.execute(statement)
    assert [row.actor for row in rows(uow)] == ["carla"]


def test_a_row_with_an_unknown_action_or_a_multi_line_detail_is_refused(uow):
    with uow:
        for bad in (dict(action="delete"), dict(action="cli", detail="one\ntwo"), dict(action="cli", actor=" ")):
            fields = {"actor": "ada", **bad}
            with pytest.raises(audit.AuditError):
                audit.record(uow.session, fields.pop("actor"), fields.pop("action"), **fields)
