"""`python -m tracking purge [--dry-run]`: closed requests erased for good once their organisation's
retention period is over (`closed_request_retention_days` in its knowledge file), run daily by cron.

A request is erased with its whole history when it was closed (completed, rejected or cancelled: its
last status change) or soft-deleted more than that many days ago. The audit log records how many,
never which (a reference would outlive the request it names). This is the one place rows of the
append-only history are deleted: by the Core table, which the ORM's refusal (tracking.models) does
not cover on purpose.
"""
from __future__ import annotations

import argparse
import logging
from datetime import datetime, timedelta
from typing import Dict, Optional, TextIO

from sqlalchemy import and_, delete, func, or_, select

from knowledge.loading import knowledge_base
from knowledge.model import KnowledgeBase
from tracking import audit
from tracking.clock import utcnow
from tracking.models import AuditAction, Request, StatusChange
from tracking.repository import CLOSED_STATUSES
from tracking.scope import Caller
from tracking.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `purge` command to the staff command line (tracking/cli.py)."""
    command = commands.add_parser("purge", help="erase for good the requests closed or deleted longer ago than "
                                                "their organisation's retention period (daily, from cron)")
    command.add_argument("--dry-run", action="store_true", help="count what would be erased, erase nothing")
    command.set_defaults(handler=run)


def purge(*, actor: str, dry_run: bool = False, uow: Optional[UnitOfWork] = None,
          knowledge: Optional[KnowledgeBase] = None, now: Optional[datetime] = None) -> Dict[str, int]:
    """Erases (or, dry, counts) each organisation's expired requests; returns {organisation: how many}."""
    knowledge = knowledge or knowledge_base()
    now = now or utcnow()
    counts: Dict[str, int] = {}
    with uow or UnitOfWork() as work:
        closed_at = select(StatusChange.request_id, func.max(StatusChange.at).label("at")) \
            .group_by(StatusChange.request_id).subquery()
        for slug, organization in sorted(knowledge.organizations.items()):
            cutoff = now - timedelta(days=organization.closed_request_retention_days)
            expired = select(Request.id).join(closed_at, closed_at.c.request_id == Request.id).where(
                Request.organization == slug,
                or_(and_(Request.status.in_(CLOSED_STATUSES), closed_at.c.at < cutoff),
                    and_(Request.deleted_at.is_not(None), Request.deleted_at < cutoff)))
            ids = list(work.session.execute(expired).scalars())
            if not ids:
                continue
            counts[slug] = len(ids)
            if not dry_run:
                work.session.execute(delete(StatusChange.__table__).where(StatusChange.__table__.c.request_id.in_(ids)))
                work.session.execute(delete(Request.__table__).where(Request.__table__.c.id.in_(ids)))
            audit.record(work.session, actor, AuditAction.CLI, organization=slug, rows=len(ids), now=now,
                         detail=f"purge{' (dry run)' if dry_run else ''}: {len(ids)} closed requests past "
                                f"{organization.closed_request_retention_days} days")
        if not counts:
            audit.record(work.session, actor, AuditAction.CLI, rows=0, now=now,
                         detail=f"purge{' (dry run)' if dry_run else ''}: nothing past its retention period")
        work.commit()
    logger.info("Purge%s: %d requests erased", " (dry run)" if dry_run else "", sum(counts.values()))
    return counts


def run(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    counts = purge(actor=caller.actor, dry_run=args.dry_run, uow=uow)
    verb = "Would erase" if args.dry_run else "Erased"
    for slug, count in counts.items():
        print(f"{verb} {count} request{'s' if count != 1 else ''} of {slug}", file=out)
    print(f"{verb} {sum(counts.values())} in all", file=out)
    return 0
