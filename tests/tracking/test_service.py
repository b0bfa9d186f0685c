"""The request service on SQLite and PostgreSQL: filing, lookup, status changes, deadlines, listing."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracking import config, encryption, references, service
from tracking.scope import EVERYTHING, operator
from tracking.models import Status
from tracking.service import InvalidRequest, RequestFilters, RequestNotFound, TransitionRefused
from tracking.unit_of_work import UnitOfWork

UTC = timezone.utc
REFERENCE = re.compile(r"^RR-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")
OPERATOR = operator("test")  # the command line's access: every organisation


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def short_id(value) -> str:
    """Readable test ids for long or odd parameter values."""
    text_value = str(value).encode("unicode_escape").decode("ascii")
    return text_value if len(text_value) <= 24 else f"{text_value[:12]}...({len(str(value))} chars)"


def submit(uow, **overrides):
    values = dict(organization="cesi", right="access", name="Jane Doe", email="jane.doe@example.com",
                  description="I want a copy of my data", language="en", channel="rest")
    values.update(overrides)
    return service.submit_request(uow=uow, **values)


def query(url, sql, **params):
    with config.get_engine(url).connect() as connection:
        return connection.execute(text(sql), params).all()


def stored_text(url, reference):
    """(name, description) as the database holds them, decrypted here: the columns hold only ciphertext."""
    row = query(url, "SELECT name_encrypted, description_encrypted FROM requests WHERE reference = :r", r=reference)[0]
    return encryption.decrypt(row[0], "name"), encryption.decrypt(row[1], "description")


def test_submitting_writes_one_row_with_a_fresh_reference_and_its_first_history_entry(uow, migrated_url):
    record = submit(uow, organization="acta", right="erasure", language="fr", channel="socketio")
    assert REFERENCE.match(record.reference)
    assert record.status is Status.RECEIVED
    rows = query(migrated_url, "SELECT reference, organization, \"right\", name_encrypted, email_encrypted, language, "
                               "channel, status FROM requests")
    assert [tuple(row) for row in rows] == [(record.reference, "acta", "erasure", rows[0][3], rows[0][4],
                                             "fr", "socketio", "received")]
    assert "Jane" not in rows[0][3] and "jane" not in rows[0][4]  # encrypted at rest
    assert (encryption.decrypt(rows[0][3], "name"), encryption.decrypt(rows[0][4], "email")) == (
        "Jane Doe", "jane.doe@example.com")
    history = query(migrated_url, "SELECT from_status, to_status, \"by\" FROM status_history")
    assert [tuple(row) for row in history] == [(None, "received", "requester")]
    assert record.created_at.tzinfo is not None and abs(record.created_at - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize("organization, filed, due", [
    ("activpartners", at(2024, 1, 31), at(2024, 2, 29)),  # one month, into a leap February
    ("cesi", at(2024, 1, 31), at(2024, 3, 1)),            # 30 days, not a month
    ("acta", at(2023, 12, 31), at(2024, 2, 29)),          # two months
    ("acta", at(2024, 6, 15, 23, 59), at(2024, 8, 15, 23, 59)),
    ("akteos", at(2023, 1, 31), at(2023, 2, 28)),         # silent policy: one month (GDPR art. 12(3))
    ("cartesia", at(2024, 3, 31), at(2024, 4, 30)),
])
def test_the_due_date_is_the_organisations_stated_delay_else_one_month(uow, organization, filed, due):
    record = submit(uow, organization=organization, now=filed)
    assert record.due_at == due
    stored = service.get_request(record.reference, caller=OPERATOR, uow=uow)
    assert stored.created_at == filed and stored.due_at == due


def test_a_lookup_needs_the_email_given_at_filing_and_otherwise_reveals_nothing(uow):
    record = submit(uow, email="Jane.Doe@Example.com")
    other = submit(uow, email="someone.else@example.org")
    found = service.find_for_requester(record.reference, "  jane.doe@example.COM ", uow=uow)
    assert found is not None and found.reference == record.reference and found.status is Status.RECEIVED
    assert found.due_at == record.due_at
    assert service.find_for_requester(record.reference.lower().replace("-", " "), "jane.doe@example.com",
                                      uow=uow).reference == record.reference
    unknown_reference = next(ref for ref in iter(references.new_reference, None)
                             if ref not in (record.reference, other.reference))
    answers = [
        service.find_for_requester(record.reference, "someone.else@example.org", uow=uow),  # another's e-mail
        service.find_for_requester(record.reference, "jane.doe@example.co", uow=uow),
        service.find_for_requester(unknown_reference, "jane.doe@example.com", uow=uow),
        service.find_for_requester("RR-0000-0000", "jane.doe@example.com", uow=uow),
        service.find_for_requester("' OR 1=1 --", "jane.doe@example.com", uow=uow),
        service.find_for_requester(record.reference, "", uow=uow),
    ]
    assert answers == [None] * len(answers)


def test_each_status_change_is_appended_to_the_history(uow):
    record = submit(uow)
    service.change_status(record.reference, "in_progress", by="alice", note="looking into it", caller=OPERATOR, uow=uow)
    done = service.change_status(record.reference, Status.COMPLETED, by="bob", note="data sent by e-mail",
                                 caller=OPERATOR, uow=uow)
    assert done.status is Status.COMPLETED
    history = service.get_request(record.reference, caller=OPERATOR, uow=uow).history
    assert [(h.from_status, h.to_status, h.by, h.note) for h in history] == [
        (None, Status.RECEIVED, "requester", None),
        (Status.RECEIVED, Status.IN_PROGRESS, "alice", "looking into it"),
        (Status.IN_PROGRESS, Status.COMPLETED, "bob", "data sent by e-mail"),
    ]
    assert history[0].at <= history[1].at <= history[2].at


@pytest.mark.parametrize("path, refused", [
    ([], "received"),
    (["completed"], "in_progress"),
    (["cancelled"], "received"),
    (["rejected"], "in_progress"),
    (["identity_requested"], "completed"),  # not without the identity check done
    (["in_progress"], "received"),
])
def test_invalid_transitions_are_refused_and_change_nothing(uow, path, refused):
    record = submit(uow)
    for status in path:
        service.change_status(record.reference, status, by="alice", note="step", caller=OPERATOR, uow=uow)
    before = service.get_request(record.reference, caller=OPERATOR, uow=uow)
    with pytest.raises(TransitionRefused):
        service.change_status(record.reference, refused, by="alice", note="try", caller=OPERATOR, uow=uow)
    after = service.get_request(record.reference, caller=OPERATOR, uow=uow)
    assert after == before


def test_asking_for_identity_pauses_the_clock_until_work_resumes(uow):
    record = submit(uow, organization="activpartners", now=at(2024, 1, 10))
    assert record.due_at == at(2024, 2, 10)
    paused = service.change_status(record.reference, "identity_requested", by="alice", note="ID please",
                                   caller=OPERATOR, uow=uow, now=at(2024, 1, 12))
    assert paused.paused_at == at(2024, 1, 12)
    assert paused.effective_due_at(now=at(2024, 1, 20)) == at(2024, 2, 18)
    assert not paused.is_overdue(now=at(2024, 2, 15))  # past the original date, but the clock is stopped
    resumed = service.change_status(record.reference, "in_progress", by="alice", note="ID received",
                                    caller=OPERATOR, uow=uow, now=at(2024, 1, 22))
    assert resumed.due_at == at(2024, 2, 20)  # ten days paused
    assert resumed.paused_at is None
    assert service.find_for_requester(record.reference, "jane.doe@example.com", uow=uow).due_at == at(2024, 2, 20)


def test_an_extension_adds_two_months_once_and_needs_a_reason(uow):
    record = submit(uow, organization="akteos", now=at(2023, 11, 30))
    assert record.due_at == at(2023, 12, 30)
    for empty in (None, "", "   "):
        with pytest.raises(InvalidRequest, match="reason"):
            service.change_status(record.reference, "extended", by="alice", note=empty, caller=OPERATOR, uow=uow)
    assert service.get_request(record.reference, caller=OPERATOR, uow=uow).due_at == at(2023, 12, 30)
    extended = service.change_status(record.reference, "extended", by="alice", note="complex request, 12 systems",
                                     caller=OPERATOR, uow=uow, now=at(2023, 12, 20))
    assert extended.status is Status.EXTENDED
    assert extended.due_at == at(2024, 2, 29, 10)  # 30 December + 2 calendar months, clamped
    assert extended.extension_reason == "complex request, 12 systems" and extended.extended_at == at(2023, 12, 20)
    service.change_status(record.reference, "identity_requested", by="alice", note="ID",
                          caller=OPERATOR, uow=uow, now=at(2024, 1, 1))
    service.change_status(record.reference, "in_progress", by="alice", note="ok",
                          caller=OPERATOR, uow=uow, now=at(2024, 1, 2))
    with pytest.raises(TransitionRefused, match="already extended"):
        service.change_status(record.reference, "extended", by="alice", note="again", caller=OPERATOR, uow=uow)


def test_a_rejection_needs_a_reason(uow):
    record = submit(uow)
    with pytest.raises(InvalidRequest):
        service.change_status(record.reference, "rejected", by="alice", caller=OPERATOR, uow=uow)
    rejected = service.change_status(record.reference, "rejected", by="alice", note="manifestly unfounded",
                                     caller=OPERATOR, uow=uow)
    assert rejected.status is Status.REJECTED


def test_unknown_references_statuses_and_staff_names_are_errors(uow):
    record = submit(uow)
    with pytest.raises(RequestNotFound):
        service.change_status("RR-2222-2222", "in_progress", by="alice", caller=OPERATOR, uow=uow)
    with pytest.raises(InvalidRequest):
        service.change_status(record.reference, "done", by="alice", caller=OPERATOR, uow=uow)
    with pytest.raises(InvalidRequest):
        service.change_status(record.reference, "in_progress", by="  ", caller=OPERATOR, uow=uow)
    with pytest.raises(RequestNotFound):
        service.get_request("nonsense", caller=OPERATOR, uow=uow)
    assert len(service.get_request(record.reference, caller=OPERATOR, uow=uow).history) == 1


def test_listing_filters_by_organisation_status_and_overdue(uow):
    now = datetime.now(UTC)
    late = submit(uow, organization="activpartners", now=now - timedelta(days=40))
    on_time = submit(uow, organization="activpartners", now=now - timedelta(days=5))
    closed_late = submit(uow, organization="cesi", now=now - timedelta(days=90))
    service.change_status(closed_late.reference, "completed", by="alice", note="done", caller=OPERATOR, uow=uow)
    paused_in_time = submit(uow, organization="cesi", now=now - timedelta(days=60))
    service.change_status(paused_in_time.reference, "identity_requested", by="alice", note="ID",
                          caller=OPERATOR, uow=uow, now=now - timedelta(days=59))
    paused_too_late = submit(uow, organization="acta", now=now - timedelta(days=100))
    service.change_status(paused_too_late.reference, "identity_requested", by="alice", note="ID",
                          caller=OPERATOR, uow=uow,
                          now=now - timedelta(days=30))  # due about 39 days ago: already late when paused

    def refs(**filters):
        return [r.reference for r in service.list_requests(RequestFilters(**filters), caller=OPERATOR, uow=uow)]

    assert refs() == [paused_too_late.reference, closed_late.reference, paused_in_time.reference, late.reference,
                      on_time.reference]  # oldest first
    assert refs(organization="activpartners") == [late.reference, on_time.reference]
    assert refs(organization="CESI ") == [closed_late.reference, paused_in_time.reference]
    assert refs(status="completed") == [closed_late.reference]
    assert refs(status=Status.IDENTITY_REQUESTED) == [paused_too_late.reference, paused_in_time.reference]
    assert refs(overdue=True) == [paused_too_late.reference, late.reference]
    assert refs(organization="cesi", overdue=True) == []
    with pytest.raises(InvalidRequest, match="unknown organisation"):
        refs(organization="google")


WEIRD_NAMES = [
    "Zoë 🦄 O'Brien",
    'Jean "Jojo" Dupont',
    "Robert'); DROP TABLE requests;--",
    "1' OR '1'='1",
    "<script>alert('x')</script>",
    "محمد بن سلمان",
    "%s %(name)s {0} \\N",
    "Ŵ" * 200,
]


@pytest.mark.parametrize("name", WEIRD_NAMES, ids=short_id)
def test_unusual_names_and_descriptions_are_stored_verbatim(uow, migrated_url, name):
    description = f"Please erase everything.\n\tSigned: {name}\nSELECT * FROM requests; -- 👍 \"quoted\" 'single'"
    record = submit(uow, name=name, description=description)
    stored = service.find_for_requester(record.reference, "jane.doe@example.com", uow=uow)
    assert stored.name == name and stored.description == description
    assert stored_text(migrated_url, record.reference) == (name, description)
    assert json.loads(next(service.iter_json_lines(caller=OPERATOR, uow=uow)))["name"] == name
    assert query(migrated_url, "SELECT count(*) FROM requests")[0][0] == 1  # the table survived


@pytest.mark.parametrize("field, value", [
    ("organization", "google"),
    ("organization", ""),
    ("right", "delete_everything"),
    ("right", ""),
    ("name", ""),
    ("name", "   "),
    ("name", "x" * 201),
    ("email", "jane.doe@example"),
    ("email", "jane.doe"),
    ("email", ""),
    ("language", "de"),
    ("description", "x" * 10_001),
], ids=short_id)
def test_invalid_submissions_are_refused_and_nothing_is_written(uow, migrated_url, field, value):
    with pytest.raises(InvalidRequest) as refused:
        submit(uow, **{field: value})
    assert refused.value.field == field
    assert query(migrated_url, "SELECT count(*) FROM requests")[0][0] == 0


def test_a_deleted_request_disappears_everywhere_but_stays_in_the_database(uow, migrated_url):
    record = submit(uow)
    kept = submit(uow, email="kept@example.com")
    service.delete_request(record.reference, by="alice", note="filed twice", caller=OPERATOR, uow=uow)
    assert service.find_for_requester(record.reference, "jane.doe@example.com", uow=uow) is None
    assert [r.reference for r in service.list_requests(caller=OPERATOR, uow=uow)] == [kept.reference]
    with pytest.raises(RequestNotFound):
        service.change_status(record.reference, "in_progress", by="alice", note="x", caller=OPERATOR, uow=uow)
    rows = query(migrated_url, "SELECT deleted_at FROM requests WHERE reference = :r", r=record.reference)
    assert rows[0][0] is not None
    notes = query(migrated_url, "SELECT note FROM status_history h JOIN requests r ON r.id = h.request_id "
                                "WHERE r.reference = :r ORDER BY h.id", r=record.reference)
    assert notes[-1][0] == "deleted: filed twice"


def test_two_staff_changing_the_same_request_at_once_cannot_both_win(uow, migrated_url):
    record = submit(uow)
    with uow:  # staff member A reads the request...
        seen_by_a = uow.requests.get(record.reference, scope=EVERYTHING)
        # ...B completes it meanwhile...
        service.change_status(record.reference, "completed", by="bob", note="sent",
                              caller=OPERATOR, uow=UnitOfWork(url=migrated_url))
        seen_by_a.status = Status.REJECTED  # ...and A's outdated write is refused, not silently applied
        with pytest.raises(StaleDataError):
            uow.commit()
    assert service.get_request(record.reference, caller=OPERATOR, uow=uow).status is Status.COMPLETED


def test_a_reference_collision_is_retried_with_a_new_reference(uow, monkeypatch):
    first = submit(uow)
    drawn = iter([first.reference, first.reference, "RR-2345-6789"])
    monkeypatch.setattr(references, "new_reference", lambda: next(drawn))
    second = submit(uow, email="second@example.com")
    assert second.reference == "RR-2345-6789"
    assert {r.reference for r in service.list_requests(caller=OPERATOR, uow=uow)} == {first.reference, "RR-2345-6789"}


def test_json_lines_have_exactly_the_agreed_keys(uow):
    record = submit(uow, organization="acta", right="portability", now=at(2024, 5, 2))
    lines = list(service.iter_json_lines(caller=OPERATOR, uow=uow))
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert list(row) == ["reference", "organization", "right", "name", "email", "status", "created_at", "due_at"]
    assert row == {"reference": record.reference, "organization": "acta", "right": "portability", "name": "Jane Doe",
                   "email": "jane.doe@example.com", "status": "received", "created_at": "2024-05-02T10:00:00+00:00",
                   "due_at": "2024-07-02T10:00:00+00:00"}


def test_csv_export_keeps_text_verbatim_but_defuses_spreadsheet_formulas(uow):
    submit(uow, name="=HYPERLINK(\"http://evil\")", description="line one\nline two, \"quoted\"")
    out = io.StringIO()
    assert service.export_csv(out, caller=OPERATOR, uow=uow) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["description"] == "line one\nline two, \"quoted\""
    assert list(rows[0])[:8] == list(service.EXPORT_FIELDS)


def test_the_database_itself_refuses_an_unknown_status(uow, migrated_url):
    record = submit(uow)
    with pytest.raises(IntegrityError):
        with config.get_engine(migrated_url).begin() as connection:
            connection.execute(text("UPDATE requests SET status = 'lost' WHERE reference = :r"), {"r": record.reference})
    assert service.get_request(record.reference, caller=OPERATOR, uow=uow).status is Status.RECEIVED


def test_text_is_stored_without_nul_control_or_bidi_characters_and_in_nfc(uow, migrated_url):
    assert submit(uow, name="Jane\nDoe").name == "Jane Doe"  # a line break separated two words: kept apart
    record = submit(uow, name="Bo\x00b\u202e Sm\u0131th\te\u0301\x1b", description="line\x00 one\r\nline\u2066 two\tend")
    stored = stored_text(migrated_url, record.reference)
    assert stored == ("Bob Sm\u0131th \u00e9", "line one\nline two\tend")
    assert (record.name, record.description) == stored


def test_a_nul_or_formula_in_a_request_no_longer_breaks_or_arms_the_csv_export(uow, migrated_url):
    submit(uow, name="@SUM(A1)\x00", description="\x00=cmd|' /C calc'!A0")
    legacy = submit(uow, name="Legacy Row")
    # A row stored before text was cleaned on the way in still holds its NUL: the export survives it.
    with config.get_engine(migrated_url).begin() as connection:
        connection.execute(text("UPDATE requests SET description_encrypted = :d WHERE reference = :r"),
                           {"d": encryption.encrypt("-1+1 before\x00after", "description"),
                            "r": legacy.reference})
    out = io.StringIO()
    assert service.export_csv(out, caller=OPERATOR, uow=uow) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["name"], row["description"]) for row in rows] == [
        ("'@SUM(A1)", "'=cmd|' /C calc'!A0"), ("Legacy Row", "'-1+1 beforeafter")]
