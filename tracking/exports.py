"""How the tracking layer writes what it exports: ISO timestamps, and CSV a spreadsheet cannot run.

Shared by the requests' export (tracking.service) and the audit log's (tracking.audit).
"""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from typing import Iterable, Mapping, Optional, Sequence, TextIO


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


def write_csv(out: TextIO, fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """The header, then one line a row, every cell spreadsheet-safe; returns how many rows were written."""
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: spreadsheet_safe(row[key]) for key in fields})
        count += 1
    return count
