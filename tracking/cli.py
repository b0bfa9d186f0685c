"""Staff command line for the rights-request tracking database: the operator's tool on the server.

    python -m tracking list [--organization SLUG] [--status received] [--overdue] [--search RR-…|E-MAIL]
    python -m tracking show RR-7K3F-2QXD
    python -m tracking set-status RR-7K3F-2QXD in_progress --note "ID checked" [--by alice]
    python -m tracking export-csv [requests.csv]
    python -m tracking json-lines
    python -m tracking migrate
    python -m tracking create-user alice --org SLUG,SLUG [--admin]   (password asked, or one line on stdin)
    python -m tracking digest [--dry-run]      (daily: each organisation's requests due within 7 days)
    python -m tracking set-password alice
    python -m tracking set-organizations alice --org SLUG [--admin]
    python -m tracking disable-user alice | enable-user alice
    python -m tracking users
    python -m tracking audit [--actor alice] [--action export] [--since 2026-12-01] [--format csv] [FILE]

The database is TRACKING_DB_URL (or --database-url), default the SQLite file under var/. Everything
goes through tracking.service and tracking.accounts, the same code the bot and the console use. The
command line sees every organisation, and each use is recorded in the audit log as `cli:<login>`.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Optional, Sequence, TextIO

from sqlalchemy.exc import SQLAlchemyError

from knowledge.loading import load_rights
from tracking import audit, cli_staff, config, digest, retention, rotation, service
from tracking.accounts import AccountError
from tracking.audit import AuditError
from tracking.cli_format import cell, date, indented, login, moment, plural, print_table, safe
from tracking.clock import utcnow
from tracking.exports import open_private
from tracking.models import AuditAction, Status
from tracking.scope import Caller, operator
from tracking.service import RequestError, RequestFilters, RequestRecord
from tracking.unit_of_work import UnitOfWork

NAME_WIDTH = 28
EMAIL_WIDTH = 32


def main(argv: Optional[Sequence[str]] = None, out: TextIO = None) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    uow = UnitOfWork(url=args.database_url)
    try:
        return args.handler(args, uow, out, operator(login()))
    except (RequestError, AccountError, AuditError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"error: database {config.display_url(args.database_url)}: {detail}\n"
              "(a new database needs `python -m tracking migrate` first)", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tracking", description="Rights requests: staff commands.")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: $TRACKING_DB_URL, else var/tracking.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="list requests, oldest first")
    _add_filters(listing)
    listing.set_defaults(handler=_list)

    show = commands.add_parser("show", help="one request with its history")
    show.add_argument("reference")
    show.set_defaults(handler=_show)

    set_status = commands.add_parser("set-status", help="change a request's status (recorded in its history)")
    set_status.add_argument("reference")
    set_status.add_argument("status", choices=[status.value for status in Status])
    set_status.add_argument("--note", required=True, help="why; sent reasons for 'extended' and 'rejected'")
    set_status.add_argument("--by", default=None, help="who makes the change (default: your login)")
    set_status.set_defaults(handler=_set_status)

    export = commands.add_parser("export-csv", help="requests as CSV, to FILE or standard output")
    export.add_argument("file", nargs="?", default="-")
    _add_filters(export)
    export.set_defaults(handler=_export_csv)

    json_lines = commands.add_parser("json-lines", help="requests as JSON lines: reference, organization, right, "
                                                         "name, email, status, created_at, due_at")
    _add_filters(json_lines)
    json_lines.set_defaults(handler=_json_lines)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema (alembic upgrade head)")
    migrate.set_defaults(handler=_migrate)
    digest.register(commands)
    rotation.register(commands)
    retention.register(commands)

    cli_staff.add_commands(commands)
    return parser


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organization", help="organisation slug (its knowledge file name)")
    parser.add_argument("--right", help="right, e.g. erasure")
    parser.add_argument("--status", choices=[status.value for status in Status])
    parser.add_argument("--overdue", action="store_true", help="only open requests past their due date")
    parser.add_argument("--search", help="a reference, or a requester's whole e-mail address")


def _filters(args: argparse.Namespace) -> RequestFilters:
    return RequestFilters(organization=args.organization, right=args.right, status=args.status,
                          overdue=args.overdue, search=args.search)


def _list(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    filters = _filters(args)
    records = service.list_requests(filters, caller=caller, uow=uow)
    if not filters.search:  # a search is recorded by the service itself
        described = filters.describe()
        audit.log(caller.actor, AuditAction.CLI, uow=uow, rows=len(records),
                  detail=f"list{f' ({described})' if described else ''}")
    if not records:
        print("No requests match.", file=out)
        return 0
    now = utcnow()
    rows = [("REFERENCE", "ORGANIZATION", "RIGHT", "STATUS", "FILED", "DUE", "NAME", "E-MAIL")]
    rows += [(record.reference, record.organization, record.right, record.status.value, date(record.created_at),
              _due_label(record, now), cell(record.name, NAME_WIDTH), cell(record.email, EMAIL_WIDTH))
             for record in records]
    print_table(rows, out)
    overdue = sum(record.is_overdue(now) for record in records)
    print(f"\n{plural(len(records), 'request')}{f', {overdue} overdue' if overdue else ''}", file=out)
    return 0


def _show(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    record = service.get_request(args.reference, caller=caller, uow=uow)
    now = utcnow()
    right = load_rights().get(record.right)  # rights.yml alone: the full knowledge base takes seconds to load
    lines = [
        ("Reference", record.reference),
        ("Organisation", record.organization),
        ("Right", f"{record.right} ({right.label['en']}, GDPR art. {right.gdpr_article})" if right else record.right),
        ("Status", record.status.value),
        ("Name", safe(record.name)),
        ("E-mail", safe(record.email) + (" (verified)" if record.email_verified_at else " (not verified)")),
        ("Language", record.language),
        ("Channel", safe(record.channel or "-")),
        ("Filed", moment(record.created_at)),
        ("Due", moment(record.due_at) + _due_note(record, now)),
    ]
    if record.extended_at:
        lines.append(("Extended", f"{moment(record.extended_at)}: {safe(record.extension_reason or '')}"))
    lines.append(("Description", indented(record.description or "-", 14)))
    for label, value in lines:
        print(f"{label:<13} {value}", file=out)
    print("\nHistory", file=out)
    for entry in record.history:
        change = f"{entry.from_status.value if entry.from_status else '(filed)'} -> {entry.to_status.value}"
        note = f"  \"{indented(entry.note, 4)}\"" if entry.note else ""
        print(f"  {moment(entry.at)}  {change:<40} by {safe(entry.by)}{note}", file=out)
    return 0


def _set_status(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    by = args.by or login()
    record = service.change_status(args.reference, args.status, by=by, note=args.note, caller=caller, uow=uow)
    print(f"{record.reference}: now {record.status.value}, due {moment(record.due_at)}"
          f"{_due_note(record, utcnow())}", file=out)
    return 0


def _export_csv(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    if args.file == "-":
        service.export_csv(out, _filters(args), caller=caller, uow=uow)
        return 0
    # utf-8-sig: spreadsheets then read accented names correctly.
    with open_private(args.file, encoding="utf-8-sig") as file:
        count = service.export_csv(file, _filters(args), caller=caller, uow=uow)
    print(f"Wrote {plural(count, 'request')} to {args.file}", file=out)
    return 0


def _json_lines(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    for line in service.iter_json_lines(_filters(args), caller=caller, uow=uow):
        print(line, file=out)
    return 0


def _migrate(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    shown = config.upgrade_database(args.database_url)
    revision = config.current_revision(args.database_url)
    audit.log(caller.actor, AuditAction.CLI, uow=uow, detail=f"migrate (to revision {revision})")
    print(f"Tracking database {shown} is at revision {revision} (head).", file=out)
    return 0


def _due_label(record: RequestRecord, now: datetime) -> str:
    if record.paused_at is not None:
        return "paused"
    return date(record.due_at) + (" OVERDUE" if record.is_overdue(now) else "")


def _due_note(record: RequestRecord, now: datetime) -> str:
    if record.paused_at is not None:
        return f"  (clock paused since {moment(record.paused_at)} for the identity check; " \
               f"{moment(record.effective_due_at(now))} if it resumed now)"
    return "  (OVERDUE)" if record.is_overdue(now) else ""
