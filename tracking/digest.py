"""`python -m tracking digest [--dry-run] [--days 7]`: each organisation's staff mailbox gets the open
requests due within 7 days or overdue. Meant to run once a day from cron (README, "Mail").

An organisation without a staff mailbox in its data, or with nothing due, gets no mail. --dry-run
prints the mails instead of sending them. Exit status 1 when a mail could not be sent.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import List, Optional, TextIO, Tuple

from knowledge.loading import knowledge_base
from knowledge.model import KnowledgeBase, Organization
from tracking import audit, mail, service
from tracking.clock import utcnow
from tracking.mail import MailError
from tracking.models import AuditAction
from tracking.scope import Caller
from tracking.notifications import digest_mail
from tracking.service import RequestFilters, RequestRecord
from tracking.unit_of_work import UnitOfWork

DUE_WITHIN_DAYS = 7


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `digest` command to the staff command line (tracking/cli.py)."""
    command = commands.add_parser("digest", help=f"mail each organisation's staff the requests due within "
                                                 f"{DUE_WITHIN_DAYS} days or overdue (daily, from cron)")
    command.add_argument("--dry-run", action="store_true", help="print the mails instead of sending them")
    command.add_argument("--days", type=int, default=DUE_WITHIN_DAYS, help="how far ahead (default: %(default)s)")
    command.set_defaults(handler=run)


def due_soon(records: List[RequestRecord], days: int, now: datetime) -> List[RequestRecord]:
    """The open requests due within `days` days or overdue, soonest first (paused ones by where their clock stands)."""
    limit = now + timedelta(days=days)
    due = [record for record in records if not record.is_closed and record.effective_due_at(now) <= limit]
    return sorted(due, key=lambda record: record.effective_due_at(now))


def digests(uow: UnitOfWork, kb: KnowledgeBase, days: int, now: datetime,
            caller: Caller) -> List[Tuple[Organization, List[RequestRecord]]]:
    """Each organisation with a staff mailbox and something due (within the caller's scope), with its requests due soon."""
    found = []
    for org in kb.organizations_by_name():
        if org.staff_mailbox:
            records = due_soon(service.list_requests(RequestFilters(organization=org.slug), caller=caller, uow=uow,
                                                     knowledge=kb),
                               days, now)
            if records:
                found.append((org, records))
    return found


def run(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller,
        now: Optional[datetime] = None) -> int:
    now = now or utcnow()
    kb = knowledge_base()
    failed = 0
    due = digests(uow, kb, args.days, now, caller)
    audit.log(caller.actor, AuditAction.CLI, uow=uow, rows=sum(len(records) for _, records in due),
              detail=f"digest{' (dry run)' if args.dry_run else ''}, {len(due)} organisation(s)")
    for org, records in due:
        message = digest_mail(org, records, kb, args.days, now)
        if args.dry_run:
            print(f"To: {message.to}\nSubject: {message.subject}\n\n{message.body}\n", file=out)
            continue
        try:
            mail.send(message)
        except MailError as error:
            failed += 1
            print(f"{org.slug}: {len(records)} due, digest NOT sent to {message.to}: {error}", file=out)
            continue
        print(f"{org.slug}: {len(records)} due, digest sent to {message.to}", file=out)
    if not due:
        print(f"Nothing due within {args.days} days or overdue for an organisation with a staff mailbox.", file=out)
    return 1 if failed else 0
