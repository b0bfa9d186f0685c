"""Staff see only their organisations' requests, whatever they ask the request service; the queue's
search, counts and days left."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from tracking import service
from tracking.models import Status
from tracking.scope import EVERYTHING, Caller, Scope, operator
from tracking.service import InvalidRequest, RequestFilters, RequestNotFound

CESI_STAFF = Caller(actor="carla", scope=Scope.of({"cesi"}))
TWO_ORGANIZATIONS = Caller(actor="tom", scope=Scope.of({"cesi", "akteos"}))
NOBODY = Caller(actor="nina", scope=Scope.of(()))
ADMIN = Caller(actor="ada", scope=EVERYTHING)


@pytest.fixture
def filed(uow):
    cesi = service.submit_request(organization="cesi", right="access", name="Carl Cesi", email="carl@example.com",
                                  description="mine", language="en", uow=uow)
    acta = service.submit_request(organization="acta", right="erasure", name="Anna Acta", email="Anna@Example.org",
                                  description="hers", language="fr", uow=uow)
    return cesi, acta


def test_a_member_lists_only_their_organisations_requests_and_an_administrator_all(uow, filed):
    cesi, acta = filed
    assert [r.reference for r in service.list_requests(caller=CESI_STAFF, uow=uow)] == [cesi.reference]
    assert [r.reference for r in service.list_requests(caller=TWO_ORGANIZATIONS, uow=uow)] == [cesi.reference]
    assert service.list_requests(caller=NOBODY, uow=uow) == []
    assert [r.reference for r in service.list_requests(caller=ADMIN, uow=uow)] == [cesi.reference, acta.reference]
    # Asking for another organisation by name gives nothing either.
    assert service.list_requests(RequestFilters(organization="acta"), caller=CESI_STAFF, uow=uow) == []


def test_another_organisations_request_is_not_found_and_cannot_be_changed(uow, filed):
    cesi, acta = filed
    assert service.get_request(cesi.reference, caller=CESI_STAFF, uow=uow).name == "Carl Cesi"
    for caller in (CESI_STAFF, NOBODY):
        with pytest.raises(RequestNotFound):
            service.get_request(acta.reference, caller=caller, uow=uow)
        with pytest.raises(RequestNotFound):
            service.change_status(acta.reference, "in_progress", by=caller.actor, note="mine now", caller=caller,
                                  uow=uow)
        with pytest.raises(RequestNotFound):
            service.delete_request(acta.reference, by=caller.actor, note="gone", caller=caller, uow=uow)
    unchanged = service.get_request(acta.reference, caller=ADMIN, uow=uow)
    assert unchanged.status is Status.RECEIVED and len(unchanged.history) == 1
    # The refusal is the one an unknown reference gets: nothing tells that the request exists.
    with pytest.raises(RequestNotFound) as unknown:
        service.get_request("RR-2222-3333", caller=CESI_STAFF, uow=uow)
    with pytest.raises(RequestNotFound) as elsewhere:
        service.get_request(acta.reference, caller=CESI_STAFF, uow=uow)
    assert str(elsewhere.value) == str(unknown.value).replace("RR-2222-3333", acta.reference)


def test_exports_hold_only_the_callers_organisations(uow, filed):
    cesi, acta = filed
    out = io.StringIO()
    assert service.export_csv(out, caller=CESI_STAFF, uow=uow) == 1
    assert [row["reference"] for row in csv.DictReader(io.StringIO(out.getvalue()))] == [cesi.reference]
    assert "Anna" not in out.getvalue() and acta.reference not in out.getvalue()
    lines = [json.loads(line) for line in service.iter_json_lines(caller=CESI_STAFF, uow=uow)]
    assert [line["reference"] for line in lines] == [cesi.reference]
    assert len(list(service.iter_json_lines(caller=ADMIN, uow=uow))) == 2


def test_counts_per_organisation_and_status_stay_within_the_scope(uow, filed):
    cesi, _acta = filed
    service.change_status(cesi.reference, "in_progress", by="carla", note="on it", caller=CESI_STAFF, uow=uow)
    assert service.count_requests(caller=CESI_STAFF, uow=uow) == {"cesi": {Status.IN_PROGRESS: 1}}
    assert service.count_requests(caller=ADMIN, uow=uow) == {"cesi": {Status.IN_PROGRESS: 1},
                                                            "acta": {Status.RECEIVED: 1}}
    assert service.count_requests(caller=NOBODY, uow=uow) == {}


def test_search_by_reference_or_by_the_whole_normalised_email(uow, filed):
    cesi, acta = filed

    def found(search, caller=ADMIN):
        return [r.reference for r in service.list_requests(RequestFilters(search=search), caller=caller, uow=uow)]

    assert found(cesi.reference.lower().replace("-", " ")) == [cesi.reference]
    assert found("  Anna@EXAMPLE.org ") == [acta.reference]  # the domain is case-insensitive...
    assert found("anna@example.org") == []                   # ...the local part is kept as given
    assert found("carl@example.co") == [] and found("RR-2222-3333") == []
    assert found("Anna@example.org", CESI_STAFF) == [] and found(acta.reference, CESI_STAFF) == []
    for nonsense in ("carl", "example.com", "%"):
        with pytest.raises(InvalidRequest, match="search"):
            found(nonsense)


@pytest.mark.parametrize("due_in, days, band", [
    (timedelta(days=30), 30, "on_time"), (timedelta(days=10, hours=1), 10, "on_time"),
    (timedelta(days=9, hours=23), 9, "under_10"), (timedelta(days=5), 5, "under_10"),
    (timedelta(days=4, hours=23), 4, "under_5"), (timedelta(hours=1), 0, "under_5"),
    (timedelta(hours=-1), -1, "overdue"), (timedelta(days=-12), -12, "overdue"),
])
def test_days_left_and_the_queues_colour_band(uow, due_in, days, band):
    now = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    record = service.submit_request(organization="cesi", right="access", name="N", email="n@example.com", uow=uow,
                                    now=now + due_in - timedelta(days=30))  # CESI: 30 days to answer
    assert record.days_left(now) == days
    assert record.deadline_band(now) == band
    assert record.is_overdue(now) is (band == "overdue")


def test_a_closed_request_has_no_band(uow):
    record = service.submit_request(organization="cesi", right="access", name="N", email="n@example.com", uow=uow,
                                    now=datetime.now(timezone.utc) - timedelta(days=60))
    closed = service.change_status(record.reference, "completed", by="ada", note="sent", caller=operator("ada"),
                                   uow=uow)
    assert closed.deadline_band() is None and not closed.is_overdue()
