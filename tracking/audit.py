"""The audit log: the one module that writes and reads it, for the console, the command line and the
request service.

A row says who (a staff username, or `cli:<login>` for the command line), when, what (an
`AuditAction`), on which organisation and request, how many rows, and a short detail. Rows are
only ever added (tracking.models refuses updates and deletes). The detail never holds a requester's
personal data: callers build it from fixed words, organisation slugs, statuses, references and staff
usernames only (a search by e-mail is recorded as "search by e-mail", not the address; a status
change without its note, which may quote the person).

Inside a change, `record()` adds the row to the change's own unit of work, so both are committed
together or not at all; `log()` is for an action that changes nothing else.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator, List, Optional, TextIO, Tuple, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracking.clock import utcnow
from tracking.exports import iso, write_csv
from tracking.models import ACTOR_MAX_LENGTH, AuditAction, AuditEntry
from tracking.unit_of_work import UnitOfWork

AUDIT_FIELDS = ("at", "actor", "action", "organization", "reference", "rows", "detail")
DETAIL_MAX_LENGTH = 500
UNKNOWN_ACTOR = "(unknown)"  # a failed sign-in with a name no account has: the typed text is not kept


class AuditError(ValueError):
    """An audit row that cannot be written or a filter that cannot be read (unknown action...)."""


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    action: AuditAction
    organization: Optional[str]
    reference: Optional[str]
    rows: Optional[int]
    detail: Optional[str]

    @classmethod
    def from_model(cls, entry: AuditEntry) -> "AuditRecord":
        return cls(at=entry.at, actor=entry.actor, action=AuditAction(entry.action), organization=entry.organization,
                   reference=entry.reference, rows=entry.rows, detail=entry.detail)

    def export_row(self) -> dict:
        row = asdict(self)
        row.update(at=iso(self.at), action=self.action.value)
        return row


@dataclass(frozen=True)
class AuditFilters:
    actor: Optional[str] = None
    action: Optional[Union[AuditAction, str]] = None
    since: Optional[datetime] = None  # inclusive
    until: Optional[datetime] = None  # exclusive


def period(since: Optional[str], until: Optional[str]) -> Tuple[Optional[datetime], Optional[datetime]]:
    """"2026-12-01", "2026-12-03" → from the first day's start to the last day's end (UTC); either may be empty."""
    def day(text: Optional[str], days_after: int) -> Optional[datetime]:
        text = (text or "").strip()
        if not text:
            return None
        try:
            return datetime.combine(date.fromisoformat(text), time(), timezone.utc) + timedelta(days=days_after)
        except ValueError:
            raise AuditError(f"not a date (YYYY-MM-DD): {text!r}") from None

    return day(since, 0), day(until, 1)


def parse_action(value: Union[AuditAction, str]) -> AuditAction:
    try:
        return AuditAction(value.value if isinstance(value, AuditAction) else str(value or "").strip())
    except ValueError:
        raise AuditError(f"unknown audit action {value!r}; one of "
                         f"{', '.join(action.value for action in AuditAction)}") from None


def record(session: Session, actor: str, action: Union[AuditAction, str], *, organization: Optional[str] = None,
           reference: Optional[str] = None, rows: Optional[int] = None, detail: Optional[str] = None,
           now: Optional[datetime] = None) -> None:
    """Adds an audit row to `session`'s transaction: it is written when the caller commits."""
    actor = (actor or "").strip()
    if not actor or len(actor) > ACTOR_MAX_LENGTH or _has_control_characters(actor):
        raise AuditError(f"an actor is 1-{ACTOR_MAX_LENGTH} characters without control characters")
    detail = (detail or "").strip() or None
    if detail is not None:
        if len(detail) > DETAIL_MAX_LENGTH or _has_control_characters(detail):
            raise AuditError(f"an audit detail is at most {DETAIL_MAX_LENGTH} characters, on one line")
    session.add(AuditEntry(at=now or utcnow(), actor=actor, action=parse_action(action), organization=organization,
                           reference=reference, rows=rows, detail=detail))


def log(actor: str, action: Union[AuditAction, str], *, uow: Optional[UnitOfWork] = None,
        now: Optional[datetime] = None, **fields: object) -> None:
    """Writes one audit row on its own (for actions that change nothing else)."""
    with uow or UnitOfWork() as work:
        record(work.session, actor, action, now=now, **fields)
        work.commit()


def entries(filters: Optional[AuditFilters] = None, *, uow: Optional[UnitOfWork] = None,
            limit: Optional[int] = None) -> List[AuditRecord]:
    """The rows, newest first, by actor, action and period."""
    with uow or UnitOfWork() as work:
        return [AuditRecord.from_model(entry) for entry in work.session.execute(_query(filters, limit)).scalars()]


def export_csv(out: TextIO, filters: Optional[AuditFilters] = None, *, actor: str,
               uow: Optional[UnitOfWork] = None) -> int:
    """The rows as CSV (header first), newest first; the export itself is recorded. Returns the row count."""
    rows = _exported(filters, actor, "audit log as CSV", uow)
    return write_csv(out, AUDIT_FIELDS, (row.export_row() for row in rows))


def iter_json_lines(filters: Optional[AuditFilters] = None, *, actor: str,
                    uow: Optional[UnitOfWork] = None) -> Iterator[str]:
    """One JSON object a row, with the keys of AUDIT_FIELDS; the export itself is recorded."""
    for row in _exported(filters, actor, "audit log as JSON lines", uow):
        yield json.dumps(row.export_row(), ensure_ascii=False)


def describe_filters(filters: Optional[AuditFilters]) -> str:
    """The filters in words for an audit detail (an actor is a staff username, not a requester's data)."""
    filters = filters or AuditFilters()
    parts = [f"actor={filters.actor}" if filters.actor else "",
             f"action={parse_action(filters.action).value}" if filters.action else "",
             f"since={iso(filters.since)}" if filters.since else "",
             f"until={iso(filters.until)}" if filters.until else ""]
    return "; ".join(part for part in parts if part)


def _exported(filters: Optional[AuditFilters], actor: str, what: str, uow: Optional[UnitOfWork]) -> List[AuditRecord]:
    with uow or UnitOfWork() as work:
        rows = [AuditRecord.from_model(entry) for entry in work.session.execute(_query(filters, None)).scalars()]
        described = describe_filters(filters)
        record(work.session, actor, AuditAction.EXPORT, rows=len(rows),
               detail=f"{what}{f' ({described})' if described else ''}")
        work.commit()
    return rows


def _query(filters: Optional[AuditFilters], limit: Optional[int]):
    filters = filters or AuditFilters()
    statement = select(AuditEntry)
    if filters.actor:
        statement = statement.where(AuditEntry.actor == filters.actor.strip())
    if filters.action:
        statement = statement.where(AuditEntry.action == parse_action(filters.action))
    if filters.since is not None:
        statement = statement.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        statement = statement.where(AuditEntry.at < filters.until)
    statement = statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return statement.limit(limit) if limit else statement


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)
