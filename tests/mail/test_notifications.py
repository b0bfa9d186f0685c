"""What the requester and the organisation's staff receive, in both languages: the acknowledgement,
the notification of a new request, and the daily digest (`python -m tracking digest`)."""
from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest

from knowledge.loading import load_knowledge_base
from knowledge.rendering import letter_text, long_date
from knowledge.texts import text
from tracking import cli, clock, notifications, service
from tracking.mail import MailSettings
from mail_flow import DESCRIPTION, EMAIL, NAME
from tracking.scope import operator

OPERATOR = operator("test")  # the command line's access: every organisation

KB = load_knowledge_base()


def _file(slug: str = "cesi", lang: str = "en", right: str = "erasure", **options):
    return service.submit_request(organization=slug, right=right, name=NAME, email=EMAIL, description=DESCRIPTION,
                                  language=lang, **options)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_acknowledgement_gives_reference_due_date_official_contact_and_the_letter(tracking_db, mail_sink, lang):
    record = _file(lang=lang)
    assert notifications.announce_filed_request(record, KB) is True
    [ack] = mail_sink.mails_to(EMAIL)
    org, right = KB.organizations["cesi"], KB.rights["erasure"]
    assert ack["Subject"] == text("mail.ack_subject", lang, organization=org.name, reference=record.reference)
    body = ack.get_content()
    assert record.reference in body and long_date(record.due_at.date(), lang) in body
    assert org.contact[lang] in body
    assert letter_text(org, right, lang, reference=record.reference, full_name=NAME, email=EMAIL,
                       description=DESCRIPTION) in body  # the chat's letter, to the letter
    assert body.rstrip().endswith(text("mail.signature", lang))


def test_the_staff_notification_gives_reference_right_and_due_date_in_both_languages_and_nothing_of_the_requester(
        tracking_db, mail_sink):
    record = _file(lang="fr", right="access")
    notifications.announce_filed_request(record, KB)
    org = KB.organizations["cesi"]
    [notification] = mail_sink.mails_to(org.staff_mailbox)
    everything = notification["Subject"] + "\n" + notification.get_content()
    for lang in ("fr", "en"):
        assert KB.rights["access"].label[lang] in everything
        assert long_date(record.due_at.date(), lang) in everything
    assert record.reference in notification["Subject"] and org.name in everything
    for personal in (NAME, "Quillfeather", EMAIL, "privatemail", DESCRIPTION):
        assert personal not in everything


def test_an_organisation_without_a_staff_mailbox_gets_no_notification(tracking_db, mail_sink):
    import dataclasses

    org = dataclasses.replace(KB.organizations["cesi"], staff_mailbox=None)
    kb = dataclasses.replace(KB, organizations={**KB.organizations, "cesi": org})
    notifications.announce_filed_request(_file(), kb)
    assert [mail["To"] for mail in mail_sink.mails()] == [EMAIL]


def test_a_mail_failure_after_filing_keeps_the_request_and_says_the_acknowledgement_was_not_sent(
        tracking_db, mail_sink, caplog):
    from devtools.servers import free_port

    record = _file()
    down = MailSettings(host="127.0.0.1", port=free_port())
    caplog.set_level(logging.INFO)
    assert notifications.announce_filed_request(record, KB, down) is False
    assert [row.reference for row in service.list_requests(caller=OPERATOR)] == [record.reference]
    logged = "\n".join(entry.getMessage() for entry in caplog.records)
    assert record.reference in logged and EMAIL not in logged


def _digest(*args: str) -> str:
    out = io.StringIO()
    assert cli.main(["digest", *args], out=out) == 0
    return out.getvalue()


def test_the_digest_lists_each_organisations_requests_due_within_seven_days_or_overdue(tracking_db, mail_sink):
    now = clock.utcnow()
    cesi_delay = timedelta(days=30)  # CESI answers within 30 days (its knowledge file)
    overdue = _file(now=now - cesi_delay - timedelta(days=3))
    soon = _file(now=now - cesi_delay + timedelta(days=2), right="access")
    _file(now=now - timedelta(days=1))  # due in 29 days: not yet
    done = _file(now=now - cesi_delay - timedelta(days=5))
    service.change_status(done.reference, "completed", by="alice", caller=OPERATOR, note="sent the data")
    acta = _file("acta", now=now - timedelta(days=200))

    printed = _digest()
    assert "cesi: 2 due, digest sent to rights-requests@cesi.example" in printed
    assert "acta: 1 due" in printed
    [digest] = mail_sink.mails_to(KB.organizations["cesi"].staff_mailbox)
    body = digest.get_content()
    for lang, late, left in (("fr", "EN RETARD, jours de retard : 3", "jours restants : 2"),
                             ("en", "OVERDUE, days late: 3", "days left: 2")):
        assert text("mail.digest_line", lang, reference=overdue.reference, right=KB.rights["erasure"].label[lang],
                    status=text("console.status_received", lang),
                    due_date=long_date(overdue.due_at.date(), lang), when=late) in body
        assert text("mail.digest_line", lang, reference=soon.reference, right=KB.rights["access"].label[lang],
                    status=text("console.status_received", lang),
                    due_date=long_date(soon.due_at.date(), lang), when=left) in body
    assert body.index(overdue.reference) < body.index(soon.reference)  # the most urgent first
    assert done.reference not in body and acta.reference not in body
    for personal in (NAME, EMAIL, DESCRIPTION):
        assert personal not in body
    assert "2" in digest["Subject"] and KB.organizations["cesi"].name in digest["Subject"]


def test_the_digest_dry_run_prints_and_sends_nothing(tracking_db, mail_sink):
    record = _file(now=clock.utcnow() - timedelta(days=40))
    printed = _digest("--dry-run")
    assert "To: rights-requests@cesi.example" in printed and record.reference in printed
    assert mail_sink.mails() == []


def test_the_digest_with_nothing_due_says_so(tracking_db, mail_sink):
    _file()
    assert "Nothing due" in _digest()
    assert mail_sink.mails() == []


def _organization_with(**fields):
    from pathlib import Path

    import yaml

    from knowledge import schema

    path = Path(__file__).resolve().parents[2] / "data" / "knowledge" / "cesi.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["organization"].update(fields)
    return schema.parse(schema.OrganizationFile, raw, "cesi.yml").organization


def test_the_staff_mailbox_and_the_check_are_optional_and_checked_in_the_data():
    from knowledge.model import KnowledgeError

    assert _organization_with(staff_mailbox=None).verify_email is True
    assert _organization_with(verify_email=False).verify_email is False
    with pytest.raises(KnowledgeError, match="organization.staff_mailbox: must be one e-mail address"):
        _organization_with(staff_mailbox="staff at cesi, dpo@example.org")
    with pytest.raises(KnowledgeError, match="organization.verify_email"):
        _organization_with(verify_email="no")
