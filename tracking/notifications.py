"""The mails about rights requests, composed from the text catalogue (data/texts/mail.yml) and sent
through tracking.mail: the verification code, the requester's acknowledgement, the staff notification
of a new request and the staff digest of requests due soon.

Mails to staff carry the reference, the right, the status and the dates, never the requester's name,
address or words; they are in both languages, the staff's own not being known.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Optional, Sequence

from knowledge.model import KnowledgeBase, Organization, Right
from knowledge.rendering import letter_text, long_date
from knowledge.texts import text
from language import LANGUAGES
from tracking import mail
from tracking.clock import utcnow
from tracking.mail import Mail, MailError, MailSettings
from tracking.service import RequestRecord
from tracking.verification import VALID_FOR

logger = logging.getLogger(__name__)
LANGUAGE_SEPARATOR = "\n\n— — —\n\n"   # between the languages of a mail to staff
SUBJECT_SEPARATOR = " / "


def _signed(body: str, lang: str) -> str:
    return f"{body}\n\n{text('mail.signature', lang)}"


def _in_every_language(key: str, separator: str, **values: Any) -> str:
    """One text in every language, French first, for staff; a callable value is called with the language."""
    return separator.join(text(key, lang, **{name: value(lang) if callable(value) else value
                                             for name, value in values.items()})
                          for lang in LANGUAGES)


def verification_mail(email: str, code: str, organization: Organization, right: Right, lang: str) -> Mail:
    """The code that proves the requester reads the address they gave."""
    values = {"organization": organization.name, "right": right.label[lang], "code": code,
              "minutes": str(int(VALID_FOR.total_seconds() // 60))}
    return Mail(to=email, subject=text("mail.code_subject", lang, **values),
                body=_signed(text("mail.code_body", lang, **values), lang), kind="verification code")


def acknowledgement_mail(record: RequestRecord, kb: KnowledgeBase) -> Mail:
    """To the requester, in the request's language: reference, due date, official contact, the letter."""
    lang, org, right = record.language, kb.organizations[record.organization], kb.rights[record.right]
    letter = letter_text(org, right, lang, reference=record.reference, full_name=record.name,
                         email=record.email, description=record.description)
    values = {"organization": org.name, "reference": record.reference, "full_name": record.name,
              "right": right.label[lang], "due_date": long_date(record.due_at.date(), lang),
              "contact": org.contact[lang], "letter": letter}
    return Mail(to=record.email, subject=text("mail.ack_subject", lang, **values),
                body=_signed(text("mail.ack_body", lang, **values), lang), kind="acknowledgement")


def staff_notification_mail(record: RequestRecord, kb: KnowledgeBase) -> Optional[Mail]:
    """To the organisation's staff mailbox (None without one): a new request, without the requester's data."""
    org, right = kb.organizations[record.organization], kb.rights[record.right]
    if not org.staff_mailbox:
        return None
    values = {"organization": org.name, "reference": record.reference, "right": lambda lang: right.label[lang],
              "filed_date": lambda lang: long_date(record.created_at.date(), lang),
              "due_date": lambda lang: long_date(record.due_at.date(), lang)}
    return Mail(to=org.staff_mailbox, subject=_in_every_language("mail.staff_subject", SUBJECT_SEPARATOR, **values),
                body=_in_every_language("mail.staff_body", LANGUAGE_SEPARATOR, **values), kind="staff notification")


def digest_mail(org: Organization, records: Sequence[RequestRecord], kb: KnowledgeBase, days: int,
                now: Optional[datetime] = None) -> Mail:
    """To the organisation's staff mailbox: its open requests due within `days` days or overdue, soonest first."""
    now = now or utcnow()

    def lines(lang: str) -> str:
        return "\n".join(_digest_line(record, kb, lang, now) for record in records)

    values = {"organization": org.name, "count": len(records), "days": days, "lines": lines,
              "date": lambda lang: long_date(now.date(), lang)}
    return Mail(to=org.staff_mailbox or "", subject=_in_every_language("mail.digest_subject", SUBJECT_SEPARATOR, **values),
                body=_in_every_language("mail.digest_body", LANGUAGE_SEPARATOR, **values), kind="digest")


def _digest_line(record: RequestRecord, kb: KnowledgeBase, lang: str, now: datetime) -> str:
    due = record.effective_due_at(now)
    days = (due.date() - now.date()).days
    when = text("mail.digest_overdue", lang, days=-days) if record.is_overdue(now) \
        else text("mail.digest_days_left", lang, days=max(days, 0))
    right = kb.rights.get(record.right)
    return text("mail.digest_line", lang, reference=record.reference, right=right.label[lang] if right else record.right,
                status=text(f"console.status_{record.status.value}", lang), due_date=long_date(due.date(), lang),
                when=when)


def announce_filed_request(record: RequestRecord, kb: KnowledgeBase,
                           settings: Optional[MailSettings] = None) -> bool:
    """Sends the acknowledgement to the requester and the notification to staff; whether the
    acknowledgement went. A failure leaves the request filed; it is logged without personal data."""
    acknowledged = _try_to_send(acknowledgement_mail(record, kb), settings, record.reference)
    notification = staff_notification_mail(record, kb)
    if notification is not None:
        _try_to_send(notification, settings, record.reference)
    return acknowledged


def _try_to_send(message: Mail, settings: Optional[MailSettings], reference: str) -> bool:
    try:
        mail.send(message, settings)
        return True
    except MailError:
        # tracking.mail logged why, with the recipient masked; the request stays filed.
        logger.warning("Request %s stays filed without its %s", reference, message.kind)
        return False
