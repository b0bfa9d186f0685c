"""Reading and adding requests; no business rules here (they are in tracking.service).

Every read takes the scope of who is asking (tracking.scope) and sees only its organisations' requests.
"""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from tracking import encryption
from tracking.models import Request, Status
from tracking.scope import Scope

# Statuses whose deadline clock is running; identity_requested has it paused.
RUNNING_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.EXTENDED)
CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.CANCELLED)


def overdue_condition(now: datetime) -> ColumnElement:
    """Past its due date and not closed. A paused request is overdue only if it already was when paused."""
    return or_(
        and_(Request.status.in_(RUNNING_STATUSES), Request.due_at < now),
        and_(Request.status == Status.IDENTITY_REQUESTED, Request.due_at < Request.paused_at),
    )


def _visible(statement: Select, scope: Scope) -> Select:
    """Not deleted, and of an organisation within `scope`."""
    statement = statement.where(Request.deleted_at.is_(None))
    if not scope.is_everything:
        statement = statement.where(Request.organization.in_(sorted(scope.organizations)))
    return statement


class RequestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, request: Request) -> None:
        self.session.add(request)

    def get(self, reference: str, *, scope: Scope) -> Optional[Request]:
        """The request with this reference, unless it was deleted or is outside `scope`."""
        statement = _visible(select(Request), scope).where(Request.reference == reference)
        return self.session.execute(statement).scalar_one_or_none()

    def list(self, *, scope: Scope, organization: Optional[str] = None, right: Optional[str] = None,
             status: Optional[Status] = None, overdue_at: Optional[datetime] = None,
             reference: Optional[str] = None, email: Optional[str] = None) -> List[Request]:
        """Requests within `scope`, oldest first, filtered by organisation, right, status, overdue at a
        given moment, reference and e-mail (exactly as stored)."""
        statement = _visible(select(Request), scope)
        email_hash = encryption.email_hash(email) if email is not None else None
        for column, value in ((Request.organization, organization), (Request.right, right),
                              (Request.status, status), (Request.reference, reference),
                              (Request.email_hash, email_hash)):
            if value is not None:
                statement = statement.where(column == value)
        if overdue_at is not None:
            statement = statement.where(overdue_condition(overdue_at))
        statement = statement.order_by(Request.created_at, Request.id)
        return list(self.session.execute(statement).scalars())

    def counts(self, *, scope: Scope) -> List[Tuple[str, str, int]]:
        """(organisation, status, how many) for every pair within `scope` that has requests."""
        statement = _visible(select(Request.organization, Request.status, func.count(Request.id)), scope) \
            .group_by(Request.organization, Request.status)
        return [tuple(row) for row in self.session.execute(statement)]
