"""Staff command line for the rights-request tracking database.

    python -m tracking list [--organization SLUG] [--status received] [--overdue]
    python -m tracking show RR-7K3F-2QXD
    python -m tracking set-status RR-7K3F-2QXD in_progress --note "ID checked" [--by alice]
    python -m tracking export-csv [requests.csv]
    python -m tracking json-lines
    python -m tracking migrate
    python -m tracking digest [--dry-run]      (daily: each organisation's requests due within 7 days)
    python -m tracking create-user alice        (asks for the password; or --password-stdin)
    python -m tracking set-password alice

The database is TRACKING_DB_URL (or --database-url), default the SQLite file under var/. Everything
goes through tracking.service, the same code the bot uses.
"""
from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import datetime, timezone
from typing import Optional, Sequence, TextIO

from sqlalchemy.exc import SQLAlchemyError

from knowledge.loading import load_rights
from tracking import accounts, config, digest, service
from tracking.accounts import AccountError
from tracking.clock import utcnow
from tracking.models import Status
from tracking.service import RequestError, RequestFilters, RequestRecord
from tracking.unit_of_work import UnitOfWork

# Control characters and bidirectional overrides would let a name rewrite the staff's terminal.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NAME_WIDTH = 28
EMAIL_WIDTH = 32


def main(argv: Optional[Sequence[str]] = None, out: TextIO = None) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    uow = UnitOfWork(url=args.database_url)
    try:
        return args.handler(args, uow, out)
    except (RequestError, AccountError) as error:
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

    for name, handler, text in (("create-user", _create_user, "add a staff user who can sign in to the console"),
                                ("set-password", _set_password, "change a staff user's password (closes their "
                                                                "sessions, unlocks the account)")):
        command = commands.add_parser(name, help=text)
        command.add_argument("username")
        command.add_argument("--password-stdin", action="store_true",
                             help="read the password from standard input (for scripts) instead of asking")
        command.set_defaults(handler=handler)
    return parser


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organization", help="organisation slug (its knowledge file name)")
    parser.add_argument("--right", help="right, e.g. erasure")
    parser.add_argument("--status", choices=[status.value for status in Status])
    parser.add_argument("--overdue", action="store_true", help="only open requests past their due date")


def _filters(args: argparse.Namespace) -> RequestFilters:
    return RequestFilters(organization=args.organization, right=args.right, status=args.status,
                          overdue=args.overdue)


def _list(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    records = service.list_requests(_filters(args), uow=uow)
    if not records:
        print("No requests match.", file=out)
        return 0
    now = utcnow()
    rows = [("REFERENCE", "ORGANIZATION", "RIGHT", "STATUS", "FILED", "DUE", "NAME", "E-MAIL")]
    rows += [(record.reference, record.organization, record.right, record.status.value, _date(record.created_at),
              _due_label(record, now), _cell(record.name, NAME_WIDTH), _cell(record.email, EMAIL_WIDTH))
             for record in records]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip(), file=out)
    overdue = sum(record.is_overdue(now) for record in records)
    print(f"\n{len(records)} request{'s' if len(records) != 1 else ''}"
          f"{f', {overdue} overdue' if overdue else ''}", file=out)
    return 0


def _show(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    record = service.get_request(args.reference, uow=uow)
    now = utcnow()
    right = load_rights().get(record.right)  # rights.yml alone: the full knowledge base takes seconds to load
    lines = [
        ("Reference", record.reference),
        ("Organisation", record.organization),
        ("Right", f"{record.right} ({right.label['en']}, GDPR art. {right.gdpr_article})" if right else record.right),
        ("Status", record.status.value),
        ("Name", _safe(record.name)),
        ("E-mail", _safe(record.email)),
        ("Language", record.language),
        ("Channel", _safe(record.channel or "-")),
        ("Filed", _moment(record.created_at)),
        ("Due", _moment(record.due_at) + _due_note(record, now)),
    ]
    if record.extended_at:
        lines.append(("Extended", f"{_moment(record.extended_at)}: {_safe(record.extension_reason or '')}"))
    lines.append(("Description", _indented(record.description or "-", 14)))
    for label, value in lines:
        print(f"{label:<13} {value}", file=out)
    print("\nHistory", file=out)
    for entry in record.history:
        change = f"{entry.from_status.value if entry.from_status else '(filed)'} -> {entry.to_status.value}"
        note = f"  \"{_indented(entry.note, 4)}\"" if entry.note else ""
        print(f"  {_moment(entry.at)}  {change:<40} by {_safe(entry.by)}{note}", file=out)
    return 0


def _set_status(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    by = args.by or _login()
    record = service.change_status(args.reference, args.status, by=by, note=args.note, uow=uow)
    print(f"{record.reference}: now {record.status.value}, due {_moment(record.due_at)}"
          f"{_due_note(record, utcnow())}", file=out)
    return 0


def _export_csv(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    if args.file == "-":
        service.export_csv(out, _filters(args), uow=uow)
        return 0
    # utf-8-sig: spreadsheets then read accented names correctly.
    with open(args.file, "w", encoding="utf-8-sig", newline="") as file:
        count = service.export_csv(file, _filters(args), uow=uow)
    print(f"Wrote {count} request{'s' if count != 1 else ''} to {args.file}", file=out)
    return 0


def _json_lines(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    for line in service.iter_json_lines(_filters(args), uow=uow):
        print(line, file=out)
    return 0


def _migrate(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    shown = config.upgrade_database(args.database_url)
    print(f"Tracking database {shown} is at revision {config.current_revision(args.database_url)} (head).", file=out)
    return 0


def _create_user(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    username = accounts.create_user(args.username, _new_password(args), uow=uow)
    print(f"Staff user {username} created; they can sign in at /console/login.", file=out)
    return 0


def _set_password(args: argparse.Namespace, uow: UnitOfWork, out: TextIO) -> int:
    accounts.set_password(args.username, _new_password(args), uow=uow)
    print(f"Password of {accounts.normalize_username(args.username)} changed; their sessions are closed.", file=out)
    return 0


def _new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    accounts.validate_password(password)
    if getpass.getpass("Again: ") != password:
        raise AccountError("the two passwords differ")
    return password


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "staff"


def _safe(text: str) -> str:
    """Shown as typed, except characters that would act on the terminal, which are escaped."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def _indented(text: str, indent: int) -> str:
    return ("\n" + " " * indent).join(_safe(line) for line in text.split("\n"))


def _cell(text: str, width: int) -> str:
    text = _safe(text.replace("\n", " "))
    return text if len(text) <= width else text[:width - 1] + "…"


def _date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d")


def _moment(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _due_label(record: RequestRecord, now: datetime) -> str:
    if record.paused_at is not None:
        return "paused"
    return _date(record.due_at) + (" OVERDUE" if record.is_overdue(now) else "")


def _due_note(record: RequestRecord, now: datetime) -> str:
    if record.paused_at is not None:
        return f"  (clock paused since {_moment(record.paused_at)} for the identity check; " \
               f"{_moment(record.effective_due_at(now))} if it resumed now)"
    return "  (OVERDUE)" if record.is_overdue(now) else ""

