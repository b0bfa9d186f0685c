"""The one request service: filing, looking up, changing and exporting rights requests.

Used by the bot's actions, the staff command line and the staff console alike. Every function takes
an optional unit of work (default: the configured database) and returns plain records, never ORM
objects, so callers need no session. Errors are `RequestError`s with a message meant for staff; the
bot maps them to its own responses rather than showing the text.

The functions for staff take a `Caller` (tracking.scope): every query is limited to the caller's
organisations, so a request outside them is "not found" here and nowhere else; and what they
view, change and export is recorded in the audit log under the caller's name, in the same
transaction as the change.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Dict, FrozenSet, Iterator, List, Optional, TextIO, Tuple, Union

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from knowledge.loading import knowledge_base
from knowledge.model import KnowledgeBase
from language import LANGUAGES
from knowledge import deadlines
from tracking import audit, encryption, metrics
from tracking.clock import utcnow
from tracking import references
from tracking.exports import iso as _iso, write_csv
from tracking.models import (BY_MAX_LENGTH, CHANNEL_LENGTH, DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, AuditAction,
                             Request, Status, StatusChange)
from tracking.pii import PII
from tracking.repository import CLOSED_STATUSES
from tracking.scope import EVERYTHING, Caller
from tracking.text import clean_text
from tracking.unit_of_work import UnitOfWork
from tracking.validation import clean_name, is_valid_email, normalize_email

logger = logging.getLogger(__name__)
_knowledge_lock = threading.Lock()

SUBMITTED_BY = "requester"
REFERENCE_ATTEMPTS = 5  # a collision is a one-in-billions event; retrying a few times is plenty
EXPORT_FIELDS = ("reference", "organization", "right", "name", "email", "status", "created_at", "due_at")
CSV_FIELDS = EXPORT_FIELDS + ("language", "channel", "description")

ALLOWED_TRANSITIONS: Dict[Status, FrozenSet[Status]] = {
    Status.RECEIVED: frozenset({Status.IDENTITY_REQUESTED, Status.IN_PROGRESS, Status.EXTENDED,
                                Status.COMPLETED, Status.REJECTED, Status.CANCELLED}),
    Status.IDENTITY_REQUESTED: frozenset({Status.IN_PROGRESS, Status.REJECTED, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.IDENTITY_REQUESTED, Status.EXTENDED, Status.COMPLETED,
                                   Status.REJECTED, Status.CANCELLED}),
    Status.EXTENDED: frozenset({Status.IDENTITY_REQUESTED, Status.COMPLETED, Status.REJECTED, Status.CANCELLED}),
    **{closed: frozenset() for closed in CLOSED_STATUSES},
}
# Art. 12(3) and 12(4): the person must be told why the delay is extended or the request refused.
REASON_REQUIRED = frozenset({Status.EXTENDED, Status.REJECTED})
SEARCH_BY_REFERENCE, SEARCH_BY_EMAIL = "reference", "e-mail"
# How close an open request is to its due date, as the queue colours it: (fewer days left than, band).
DEADLINE_BANDS = ((0, "overdue"), (5, "under_5"), (10, "under_10"))
ON_TIME = "on_time"  # 10 days or more


class RequestError(Exception):
    """Something the caller asked for cannot be done; the message says why, without personal data."""


class InvalidRequest(RequestError, ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


class RequestNotFound(RequestError, LookupError):
    pass


class TransitionRefused(RequestError):
    pass


class ConcurrentChange(RequestError):
    """Someone else changed the request meanwhile; read it again and retry."""


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    from_status: Optional[Status]
    to_status: Status
    by: str
    note: Optional[str]


@dataclass(frozen=True)
class RequestRecord:
    """A request as read from the database. Personal fields stay out of the repr (it reaches logs)."""

    reference: str
    organization: str
    right: str
    name: str = field(repr=False)
    email: str = field(repr=False)
    description: str = field(repr=False)
    language: str
    channel: Optional[str]
    status: Status
    created_at: datetime
    due_at: datetime
    paused_at: Optional[datetime] = None
    extended_at: Optional[datetime] = None
    extension_reason: Optional[str] = None
    email_verified_at: Optional[datetime] = None
    history: Tuple[HistoryEntry, ...] = ()

    @classmethod
    def from_model(cls, request: Request) -> "RequestRecord":
        return cls(
            reference=request.reference, organization=request.organization, right=request.right,
            name=request.name, email=request.email, description=request.description or "",
            language=request.language, channel=request.channel, status=Status(request.status),
            created_at=request.created_at, due_at=request.due_at, paused_at=request.paused_at,
            extended_at=request.extended_at, extension_reason=request.extension_reason,
            email_verified_at=request.email_verified_at,
            history=tuple(HistoryEntry(at=change.at, from_status=change.from_status, to_status=change.to_status,
                                       by=change.by, note=change.note) for change in request.history),
        )

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def effective_due_at(self, now: Optional[datetime] = None) -> datetime:
        """The due date as it stands now; it keeps moving while the identity check pauses the clock."""
        return deadlines.effective_due_date(self.due_at, self.paused_at, now or utcnow())

    def is_overdue(self, now: Optional[datetime] = None) -> bool:
        now = now or utcnow()
        return not self.is_closed and self.effective_due_at(now) < now

    def days_left(self, now: Optional[datetime] = None) -> int:
        """Whole days until the due date, rounded down: negative exactly when the request is overdue."""
        now = now or utcnow()
        return math.floor((self.effective_due_at(now) - now) / timedelta(days=1))

    def deadline_band(self, now: Optional[datetime] = None) -> Optional[str]:
        """overdue, under_5, under_10 (days left) or on_time; None once closed (no deadline left)."""
        if self.is_closed:
            return None
        days = self.days_left(now)
        return next((band for limit, band in DEADLINE_BANDS if days < limit), ON_TIME)

    def export_row(self) -> Dict[str, str]:
        values = {"status": self.status.value, "created_at": _iso(self.created_at), "due_at": _iso(self.due_at),
                  "channel": self.channel or ""}
        return {name: values.get(name, getattr(self, name, None)) for name in CSV_FIELDS}


@dataclass(frozen=True)
class RequestFilters:
    organization: Optional[str] = None
    right: Optional[str] = None
    status: Optional[Union[Status, str]] = None
    overdue: bool = False
    search: Optional[str] = None  # a reference, or a requester's e-mail address (the whole address)

    def describe(self) -> str:
        """The filters in words for the audit log: what was searched by, never the e-mail searched for."""
        parts = [f"organization={self.organization}" if self.organization else "",
                 f"right={self.right}" if self.right else "",
                 f"status={parse_status(self.status).value}" if self.status else "",
                 "overdue" if self.overdue else "",
                 f"search by {_search(self.search)[0]}" if self.search else ""]
        return "; ".join(part for part in parts if part)


def submit_request(*, organization: str, right: str, name: str, email: str, description: str = "",
                   language: str = "fr", channel: Optional[str] = None, uow: Optional[UnitOfWork] = None,
                   knowledge: Optional[KnowledgeBase] = None, now: Optional[datetime] = None,
                   email_verified_at: Optional[datetime] = None,
                   idempotency_key: Optional[str] = None) -> RequestRecord:
    """Files a request: one row with a fresh reference and the organisation's due date, plus its first history entry.

    `idempotency_key`: what identifies this submission for the caller (e.g. a conversation's
    confirmation). Submitting again with the same key, after a timeout, a lost answer or a database
    restart, returns the request the first submission filed and files nothing.

    `email_verified_at`: when the requester proved they read the address (the code mail); None when
    the organisation's data turns the check off."""
    knowledge = knowledge or _knowledge_base()
    uow = uow or UnitOfWork()
    now = _aware(now)
    slug = _known_organization(organization, knowledge)
    right = (right or "").strip()
    if right not in knowledge.rights:
        raise InvalidRequest("right", f"unknown right {right!r}; one of {', '.join(knowledge.rights)}")
    clean = clean_name(clean_text(name))
    if clean is None:
        raise InvalidRequest("name", f"a name is required: non-empty, at most {NAME_MAX_LENGTH} characters, "
                                     "no control characters")
    if not is_valid_email(email):
        raise InvalidRequest("email", f"not a valid e-mail address: {PII(email, 'email')}")
    description = clean_text(description, multiline=True)
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidRequest("description", f"longer than {DESCRIPTION_MAX_LENGTH} characters")
    if language not in LANGUAGES:
        raise InvalidRequest("language", f"one of {', '.join(LANGUAGES)}")
    channel = _optional_label(channel, "channel", CHANNEL_LENGTH)
    due_at = deadlines.due_date(knowledge.organization(slug), now)
    key_hash = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest() if idempotency_key else None
    if key_hash is not None:
        earlier = _submitted(uow, key_hash)
        if earlier is not None:
            return earlier

    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        request = Request(
            reference=references.new_reference(), organization=slug, right=right, name=clean,
            email=normalize_email(email), email_hash=encryption.email_hash(normalize_email(email)),
            description=description, language=language, channel=channel,
            status=Status.RECEIVED, created_at=now, due_at=due_at,
            email_verified_at=_aware(email_verified_at) if email_verified_at else None, idempotency_key=key_hash)
        request.history.append(StatusChange(at=now, from_status=None, to_status=Status.RECEIVED, by=SUBMITTED_BY))
        with uow:
            uow.requests.add(request)
            try:
                uow.commit()
            except IntegrityError as error:
                if key_hash is not None and "idempotency_key" in str(error.orig).lower():
                    break  # a submission with the same key won the race: its request is returned below
                if "reference" not in str(error.orig).lower() or attempt == REFERENCE_ATTEMPTS:
                    raise
                logger.warning("Reference collision on attempt %d, drawing another", attempt)
                continue
        logger.info("Request %s filed with %s (%s, %s) for %s <%s>, due %s", request.reference, slug, right,
                    language, PII(clean, "name"), PII(request.email, "email"), _iso(due_at))
        metrics.REQUESTS_FILED.labels(organization=slug).inc()
        return RequestRecord.from_model(request)
    earlier = _submitted(uow, key_hash) if key_hash is not None else None
    if earlier is None:
        raise AssertionError("unreachable")  # the loop returns, raises, or stops on a repeated key
    logger.info("Submission repeated with the same idempotency key: %s returned", earlier.reference)
    return earlier


def _submitted(uow: UnitOfWork, key_hash: str) -> Optional[RequestRecord]:
    """The request filed under this idempotency key's hash, if any (deleted or not)."""
    with uow as work:
        request = work.session.execute(select(Request).where(Request.idempotency_key == key_hash)).scalar_one_or_none()
        return RequestRecord.from_model(request) if request is not None else None


def find_for_requester(reference: str, email: str, *, uow: Optional[UnitOfWork] = None) -> Optional[RequestRecord]:
    """The request if this reference was filed with this e-mail; otherwise None, whichever part is wrong.

    The same neutral answer for an unknown reference and a wrong e-mail, so nobody can probe which
    references exist.
    """
    canonical = references.find_reference(reference or "")
    given = (email or "").strip()
    with uow or UnitOfWork() as work:
        # Every organisation: the requester proves the request theirs with the e-mail, checked below.
        request = work.requests.get(canonical, scope=EVERYTHING) if canonical and given else None
        stored = request.email if request is not None else ""
        matches = hmac.compare_digest(stored.casefold().encode("utf-8"),
                                      normalize_email(given).casefold().encode("utf-8")) if given else False
        record = RequestRecord.from_model(request) if request is not None and matches else None
    logger.info("Requester lookup for %s: %s", canonical or "an invalid reference", "found" if record else "no match")
    return record


def _existing(work: UnitOfWork, canonical: Optional[str], given: str, caller: Caller) -> Request:
    """The request a staff member names, or RequestNotFound, the same whether it does not exist or
    belongs to an organisation outside the caller's scope (staff may be told a reference is unknown)."""
    request = work.requests.get(canonical, scope=caller.scope) if canonical else None
    if request is None:
        raise RequestNotFound(f"no request {given!r}")
    return request


def get_request(reference: str, *, caller: Caller, uow: Optional[UnitOfWork] = None) -> RequestRecord:
    """For staff: the request with its history, the view recorded in the audit log. Raises RequestNotFound."""
    canonical = references.find_reference(reference or "")
    with uow or UnitOfWork() as work:
        request = _existing(work, canonical, reference, caller)
        record = RequestRecord.from_model(request)
        audit.record(work.session, caller.actor, AuditAction.VIEW_REQUEST, organization=record.organization,
                     reference=record.reference)
        work.commit()
        return record


def change_status(reference: str, new_status: Union[Status, str], *, by: str, caller: Caller,
                  note: Optional[str] = None, uow: Optional[UnitOfWork] = None,
                  now: Optional[datetime] = None) -> RequestRecord:
    """Moves a request to a new status if the transition is allowed, recording it in the history.

    identity_requested pauses the deadline clock (the due date moves by the pause when work
    resumes); extended adds two months, once, and needs a reason; so does rejected.
    """
    target = parse_status(new_status)
    by = _optional_label(by, "by", BY_MAX_LENGTH)
    if by is None:
        raise InvalidRequest("by", "who makes the change is required")
    note = clean_text(note, multiline=True).strip() or None
    if note is not None and len(note) > DESCRIPTION_MAX_LENGTH:
        raise InvalidRequest("note", f"longer than {DESCRIPTION_MAX_LENGTH} characters")
    now = _aware(now)
    canonical = references.find_reference(reference or "")
    with uow or UnitOfWork() as work:
        request = _existing(work, canonical, reference, caller)
        current = Status(request.status)
        if target not in ALLOWED_TRANSITIONS[current]:
            allowed = ", ".join(sorted(status.value for status in ALLOWED_TRANSITIONS[current])) or "none, it is closed"
            raise TransitionRefused(f"{request.reference} cannot go from {current.value} to {target.value} "
                                    f"(allowed: {allowed})")
        if target in REASON_REQUIRED and note is None:
            raise InvalidRequest("note", f"a reason is required to set {target.value}: it must be given to the person")
        if target is Status.EXTENDED and request.extended_at is not None:
            raise TransitionRefused(f"{request.reference} was already extended on {_iso(request.extended_at)}; "
                                    "GDPR art. 12(3) allows one extension")
        if current is Status.IDENTITY_REQUESTED and request.paused_at is not None:
            request.due_at = deadlines.resumed_due_date(request.due_at, request.paused_at, now)
            request.paused_at = None
        if target is Status.IDENTITY_REQUESTED:
            request.paused_at = now
        if target is Status.EXTENDED:
            request.due_at = deadlines.extended_due_date(request.due_at)
            request.extended_at, request.extension_reason = now, note
        request.status = target
        request.history.append(StatusChange(at=now, from_status=current, to_status=target, by=by, note=note))
        # The note stays in the history only: it may quote the person.
        audit.record(work.session, caller.actor, AuditAction.CHANGE_STATUS, organization=request.organization,
                     reference=request.reference, now=now,
                     detail=f"{current.value} -> {target.value}{'' if by == caller.actor else f' (by {by})'}")
        try:
            work.commit()
        except StaleDataError as error:
            # `request` is unusable after the failed flush: name it by the reference given.
            raise ConcurrentChange(f"{canonical} was changed by someone else meanwhile; try again") from error
        record = RequestRecord.from_model(request)
    logger.info("Request %s: %s -> %s by %s, due %s", record.reference, current.value, target.value, by,
                _iso(record.due_at))
    return record


def delete_request(reference: str, *, by: str, note: str, caller: Caller, uow: Optional[UnitOfWork] = None,
                   now: Optional[datetime] = None) -> None:
    """Soft delete (a request filed by mistake or as a test): hidden everywhere, kept with its history."""
    by = _optional_label(by, "by", BY_MAX_LENGTH)
    note = (note or "").strip()
    if by is None or not note:
        raise InvalidRequest("note", "who deletes and why are required")
    now = _aware(now)
    canonical = references.find_reference(reference or "")
    with uow or UnitOfWork() as work:
        request = _existing(work, canonical, reference, caller)
        request.deleted_at = now
        request.history.append(StatusChange(at=now, from_status=request.status, to_status=request.status, by=by,
                                            note=f"deleted: {note}"))
        audit.record(work.session, caller.actor, AuditAction.CHANGE_STATUS, organization=request.organization,
                     reference=request.reference, now=now, detail="deleted")
        work.commit()
    logger.info("Request %s deleted by %s", canonical, by)


def list_requests(filters: Optional[RequestFilters] = None, *, caller: Caller, uow: Optional[UnitOfWork] = None,
                  knowledge: Optional[KnowledgeBase] = None, now: Optional[datetime] = None) -> List[RequestRecord]:
    """Requests oldest first within the caller's organisations, by organisation, right, status, overdue
    now and/or a search; a search is recorded in the audit log."""
    filters = filters or RequestFilters()
    with uow or UnitOfWork() as work:
        records = _matching(work, filters, caller, knowledge, now)
        if filters.search:
            kind, value = _search(filters.search)
            audit.record(work.session, caller.actor, AuditAction.SEARCH, organization=_slug(filters.organization),
                         reference=value if kind == SEARCH_BY_REFERENCE else None, rows=len(records),
                         detail=filters.describe())
            work.commit()
        return records


def count_requests(*, caller: Caller, uow: Optional[UnitOfWork] = None) -> Dict[str, Dict[Status, int]]:
    """How many requests each organisation within the caller's scope has, by status."""
    counts: Dict[str, Dict[Status, int]] = {}
    with uow or UnitOfWork() as work:
        for organization, status, count in work.requests.counts(scope=caller.scope):
            counts.setdefault(organization, {})[Status(status)] = count
    return counts


def export_csv(out: TextIO, filters: Optional[RequestFilters] = None, *, caller: Caller,
               uow: Optional[UnitOfWork] = None, now: Optional[datetime] = None) -> int:
    """Writes the requests as CSV (header first); returns how many rows were written. Recorded in the audit log.

    Cells a spreadsheet would run as a formula (starting with = + - @) get a leading apostrophe.
    """
    records = _exported(filters, caller, "requests as CSV", uow, now)
    count = write_csv(out, CSV_FIELDS, (record.export_row() for record in records))
    logger.info("Exported %d requests as CSV", count)
    return count


def iter_json_lines(filters: Optional[RequestFilters] = None, *, caller: Caller, uow: Optional[UnitOfWork] = None,
                    now: Optional[datetime] = None) -> Iterator[str]:
    """One JSON object per request, with exactly the keys of EXPORT_FIELDS (no trailing newline).
    Recorded in the audit log."""
    for record in _exported(filters, caller, "requests as JSON lines", uow, now):
        row = record.export_row()
        yield json.dumps({key: row[key] for key in EXPORT_FIELDS}, ensure_ascii=False)


def organization_slugs() -> FrozenSet[str]:
    """The organisations the knowledge base knows (their knowledge files' names)."""
    return frozenset(_knowledge_base().organizations)


def _matching(work: UnitOfWork, filters: RequestFilters, caller: Caller, knowledge: Optional[KnowledgeBase],
              now: Optional[datetime]) -> List[RequestRecord]:
    organization = _known_organization(filters.organization, knowledge or _knowledge_base()) \
        if filters.organization else None
    status = parse_status(filters.status) if filters.status else None
    kind, value = _search(filters.search) if filters.search else (None, None)
    rows = work.requests.list(scope=caller.scope, organization=organization,
                              right=(filters.right or "").strip() or None, status=status,
                              overdue_at=_aware(now) if filters.overdue else None,
                              reference=value if kind == SEARCH_BY_REFERENCE else None,
                              email=value if kind == SEARCH_BY_EMAIL else None)
    return [RequestRecord.from_model(row) for row in rows]


def _exported(filters: Optional[RequestFilters], caller: Caller, what: str, uow: Optional[UnitOfWork],
              now: Optional[datetime]) -> List[RequestRecord]:
    filters = filters or RequestFilters()
    with uow or UnitOfWork() as work:
        records = _matching(work, filters, caller, None, now)
        described = filters.describe()
        audit.record(work.session, caller.actor, AuditAction.EXPORT, organization=_slug(filters.organization),
                     rows=len(records), detail=f"{what}{f' ({described})' if described else ''}")
        work.commit()
    return records


def _search(text: Optional[str]) -> Tuple[str, str]:
    """What a search names: (SEARCH_BY_EMAIL, the normalised address) or (SEARCH_BY_REFERENCE, the reference)."""
    text = (text or "").strip()
    if is_valid_email(text):  # first: an address may contain something shaped like a reference
        return SEARCH_BY_EMAIL, normalize_email(text)
    reference = references.find_reference(text)
    if reference is None:
        raise InvalidRequest("search", "search by a reference (RR-XXXX-XXXX) or a whole e-mail address")
    return SEARCH_BY_REFERENCE, reference


def _slug(organization: Optional[str]) -> Optional[str]:
    return (organization or "").strip().lower() or None


def parse_status(value: Union[Status, str, None]) -> Status:
    try:
        return Status(value.value if isinstance(value, Status) else str(value or "").strip().lower())
    except ValueError:
        raise InvalidRequest("status", f"unknown status {value!r}; one of "
                                       f"{', '.join(status.value for status in Status)}") from None


def _knowledge_base() -> KnowledgeBase:
    # The first call parses every knowledge file; without the lock, threads filing at once would all parse them.
    with _knowledge_lock:
        return knowledge_base()


def _known_organization(value: Optional[str], knowledge: KnowledgeBase) -> str:
    slug = (value or "").strip().lower()
    if knowledge.organization(slug) is None:
        raise InvalidRequest("organization", f"unknown organisation {value!r}; one of "
                                             f"{', '.join(sorted(knowledge.organizations))}")
    return slug


def _optional_label(value: Optional[str], field_name: str, max_length: int) -> Optional[str]:
    value = (value or "").strip()
    if len(value) > max_length or any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidRequest(field_name, f"at most {max_length} characters, no control characters")
    return value or None


def _aware(moment: Optional[datetime]) -> datetime:
    if moment is None:
        return utcnow()
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware moment")
    return moment.astimezone(timezone.utc)
