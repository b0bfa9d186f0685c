"""The command line's staff commands: accounts (create, password, organisations, disable) and the audit log.

Registered by tracking.cli; every command is recorded in the audit log as `cli:<login>`.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, TextIO

from tracking import accounts, audit
from tracking.accounts import AccountError
from tracking.cli_format import moment, plural, print_table
from tracking.exports import open_private
from tracking.models import AuditAction
from tracking.scope import Caller
from tracking.unit_of_work import UnitOfWork

AUDIT_FORMATS = ("table", "csv", "json-lines")


def add_commands(commands: argparse._SubParsersAction) -> None:
    create = commands.add_parser("create-user", help="add a staff user who can sign in to the console")
    create.add_argument("username")
    _add_access(create)
    _add_password_option(create)
    create.set_defaults(handler=_create_user)

    password = commands.add_parser("set-password", help="change a staff user's password (closes their sessions, "
                                                        "unlocks the account)")
    password.add_argument("username")
    _add_password_option(password)
    password.set_defaults(handler=_set_password)

    access = commands.add_parser("set-organizations", help="set which organisations a staff user sees "
                                                           "(and whether they are an administrator)")
    access.add_argument("username")
    _add_access(access)
    access.set_defaults(handler=_set_organizations)

    for name, disabled, text in (("disable-user", True, "stop a staff user signing in (ends their sessions)"),
                                 ("enable-user", False, "let a disabled staff user sign in again")):
        command = commands.add_parser(name, help=text)
        command.add_argument("username")
        command.set_defaults(handler=_set_disabled, disabled=disabled)

    users = commands.add_parser("users", help="list the staff accounts and the organisations each sees")
    users.set_defaults(handler=_users)

    log = commands.add_parser("audit", help="the audit log, newest first: a table, or CSV / JSON lines to FILE "
                                            "or standard output")
    log.add_argument("file", nargs="?", default="-")
    log.add_argument("--actor", help="a staff username, or cli:LOGIN")
    log.add_argument("--action", choices=[action.value for action in AuditAction])
    log.add_argument("--since", help="from this day (YYYY-MM-DD, UTC)")
    log.add_argument("--until", help="to this day included (YYYY-MM-DD, UTC)")
    log.add_argument("--format", choices=AUDIT_FORMATS, default="table")
    log.add_argument("--limit", type=int, default=None, help="at most this many rows (the table only)")
    log.set_defaults(handler=_audit)


def _add_access(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", default="", help="the organisations this user sees: slugs, comma-separated "
                                                  "(their knowledge files' names)")
    parser.add_argument("--admin", action="store_true", help="an administrator: sees every organisation and "
                                                             "manages accounts")


def _add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (the default when it is not a terminal)")


def _create_user(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    organizations = accounts.parse_organizations(args.org)
    password = _new_password(args)
    username = accounts.create_user(args.username, password, organizations=organizations, is_admin=args.admin,
                                    actor=caller.actor, uow=uow)
    print(f"Staff user {username} created ({accounts.describe_access(args.admin, organizations)}); they can sign in at "
          "/console/login.", file=out)
    return 0


def _set_password(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    accounts.set_password(args.username, _new_password(args), actor=caller.actor, uow=uow)
    print(f"Password of {accounts.normalize_username(args.username)} changed; their sessions are closed.", file=out)
    return 0


def _set_organizations(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    account = accounts.set_access(args.username, organizations=accounts.parse_organizations(args.org),
                                  is_admin=args.admin, actor=caller.actor, uow=uow)
    print(f"{account.username} now sees {accounts.describe_access(account.is_admin, account.organizations)}.", file=out)
    return 0


def _set_disabled(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    account = accounts.set_disabled(args.username, args.disabled, actor=caller.actor, uow=uow)
    print(f"{account.username} is {'disabled' if args.disabled else 'enabled'}.", file=out)
    return 0


def _users(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    listed = accounts.list_accounts(uow=uow)
    audit.log(caller.actor, AuditAction.CLI, uow=uow, rows=len(listed), detail="users")
    rows = [("USERNAME", "ACCESS", "CREATED", "DISABLED")]
    rows += [(account.username, accounts.describe_access(account.is_admin, account.organizations),
              moment(account.created_at), moment(account.disabled_at) if account.disabled_at else "")
             for account in listed]
    print_table(rows, out)
    return 0


def _audit(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    since, until = audit.period(args.since, args.until)
    filters = audit.AuditFilters(actor=args.actor, action=args.action, since=since, until=until)
    if args.format == "table":
        entries = audit.entries(filters, uow=uow, limit=args.limit)
        described = audit.describe_filters(filters)
        audit.log(caller.actor, AuditAction.CLI, uow=uow, rows=len(entries),
                  detail=f"audit{f' ({described})' if described else ''}")
        rows = [("AT", "ACTOR", "ACTION", "ORGANIZATION", "REFERENCE", "ROWS", "DETAIL")]
        rows += [(moment(entry.at), entry.actor, entry.action.value, entry.organization or "", entry.reference or "",
                  "" if entry.rows is None else str(entry.rows), entry.detail or "") for entry in entries]
        print_table(rows, out)
        print(f"\n{len(entries)} {'entry' if len(entries) == 1 else 'entries'}", file=out)
        return 0
    target = out if args.file == "-" else open_private(args.file)
    try:
        if args.format == "csv":
            count = audit.export_csv(target, filters, actor=caller.actor, uow=uow)
        else:
            lines: List[str] = list(audit.iter_json_lines(filters, actor=caller.actor, uow=uow))
            target.write("".join(line + "\n" for line in lines))
            count = len(lines)
    finally:
        if target is not out:
            target.close()
    if target is not out:
        print(f"Wrote {plural(count, 'audit row')} to {args.file}", file=out)
    return 0


def _new_password(args: argparse.Namespace) -> str:
    """Asked twice on a terminal; otherwise one line of standard input, so scripts can create accounts."""
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    accounts.validate_password(password)
    if getpass.getpass("Again: ") != password:
        raise AccountError("the two passwords differ")
    return password
