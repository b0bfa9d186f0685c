"""`python -m tracking rotate-key`: a new encryption key, and every request re-encrypted under it.

The new key goes first in var/secrets/data-encryption.key, the old ones stay after it so rows not yet
re-encrypted (or a process still holding the old file) can be read; with TRACKING_ENCRYPTION_KEYS,
put the new key first in the variable yourself and run the command to re-encrypt. It also recomputes
the e-mail hashes, so it is the way to change TRACKING_LOOKUP_KEY too. Once it has run, the older keys
can be removed (README, Keys).
"""
from __future__ import annotations

import argparse
from typing import TextIO

import sqlalchemy as sa

from tracking import audit, encryption
from tracking.models import AuditAction
from tracking.scope import Caller
from tracking.unit_of_work import UnitOfWork

FIELDS = ("name", "email", "description")
_requests = sa.table("requests", sa.column("id"), sa.column("email_hash"),
                     *(sa.column(f"{field}_encrypted") for field in FIELDS))


def register(commands: argparse._SubParsersAction) -> None:
    """Adds the `rotate-key` command to the staff command line (tracking/cli.py)."""
    command = commands.add_parser("rotate-key", help="add a new encryption key and re-encrypt every request with it")
    command.add_argument("--keep-key", action="store_true",
                         help="no new key: re-encrypt under the current one (after changing the variables)")
    command.set_defaults(handler=run)


def reencrypt_all(uow: UnitOfWork) -> int:
    """Every request's personal data under the current key, and its e-mail hash under the current
    lookup key, in one transaction; returns how many rows were rewritten."""
    ring = encryption.key_ring()
    with uow as work:
        rows = work.session.execute(sa.select(_requests)).mappings().all()
        for row in rows:
            plain = {field: ring.decrypt(row[f"{field}_encrypted"], field) for field in FIELDS}
            work.session.execute(_requests.update().where(_requests.c.id == row["id"]).values(
                email_hash=encryption.email_hash(plain["email"]),
                **{f"{field}_encrypted": ring.encrypt(plain[field], field) for field in FIELDS}))
        work.commit()
    return len(rows)


def run(args: argparse.Namespace, uow: UnitOfWork, out: TextIO, caller: Caller) -> int:
    new_id = None if args.keep_key else encryption.add_key()
    if not args.keep_key and new_id is None:
        print("TRACKING_ENCRYPTION_KEYS is set: put the new key first in it, then run rotate-key --keep-key",
              file=out)
        return 1
    count = reencrypt_all(uow)
    current = encryption.key_ring().current_id
    audit.log(caller.actor, AuditAction.CLI, uow=uow, rows=count, detail=f"rotate-key: re-encrypted under {current}")
    print(f"Re-encrypted {count} request{'s' if count != 1 else ''} under key {current}"
          f"{' (new)' if new_id else ''}", file=out)
    return 0
