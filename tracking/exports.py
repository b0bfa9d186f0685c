"""How the tracking layer writes what it exports: ISO timestamps, and CSV a spreadsheet cannot run.

Shared by the requests' export (tracking.service) and the audit log's (tracking.audit).
"""
from __future__ import annotations

import csv
import os
from datetime import datetime, timezone
from typing import IO, Iterable, Mapping, Optional, Sequence, TextIO

PRIVATE_FILE_MODE = 0o600  # exports hold names and e-mails: readable by their owner only


def iso(moment: Optional[datetime]) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else ""


def spreadsheet_safe(value: object) -> object:
    """Cells a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe.

    A NUL is dropped: the csv module cannot write one, and a row stored before tracking.text cleaned
    text on the way in must not break every export."""
    if not isinstance(value, str):
        return value
    value = value.replace("\0", "")
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def open_private(path: str, encoding: str = "utf-8") -> IO[str]:
    """`path` opened for writing (truncated), mode 600 whatever the umask, an existing file's mode too."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)
    return os.fdopen(descriptor, "w", encoding=encoding, newline="")


def write_csv(out: TextIO, fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """The header, then one line a row, every cell spreadsheet-safe; returns how many rows were written."""
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: spreadsheet_safe(row[key]) for key in fields})
        count += 1
    return count
