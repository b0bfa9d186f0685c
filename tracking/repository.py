"""Reading and adding requests; no business rules here (they are in tracking.service)."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tracking.models import Request, Status

# Statuses whose deadline clock is running; identity_requested has it paused.
RUNNING_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.EXTENDED)
CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.CANCELLED)


def overdue_condition(now: datetime) -> ColumnElement:
    """Past its due date and not closed. A paused request is overdue only if it already was when paused."""
    return or_(
        and_(Request.status.in_(RUNNING_STATUSES), Request.due_at < now),
        and_(Request.status == Status.IDENTITY_REQUESTED, Request.due_at < Request.paused_at),
    )


class RequestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, request: Request) -> None:
        self.session.add(request)

    def get(self, reference: str) -> Optional[Request]:
        """The request with this reference, unless it was deleted."""
        statement = select(Request).where(Request.reference == reference, Request.deleted_at.is_(None))
        return self.session.execute(statement).scalar_one_or_none()

    def list(self, *, organization: Optional[str] = None, right: Optional[str] = None,
             status: Optional[Status] = None, overdue_at: Optional[datetime] = None) -> List[Request]:
        """Requests oldest first, filtered by organisation, right, status, and overdue at a given moment."""
        statement = select(Request).where(Request.deleted_at.is_(None))
        if organization:
            statement = statement.where(Request.organization == organization)
        if right:
            statement = statement.where(Request.right == right)
        if status is not None:
            statement = statement.where(Request.status == status)
        if overdue_at is not None:
            statement = statement.where(overdue_condition(overdue_at))
        statement = statement.order_by(Request.created_at, Request.id)
        return list(self.session.execute(statement).scalars())

    def overdue(self, now: datetime) -> List[Request]:
        return self.list(overdue_at=now)
