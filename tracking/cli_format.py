"""What the staff command line prints: tables, timestamps, and text made harmless for a terminal."""
from __future__ import annotations

import getpass
import re
from datetime import datetime, timezone
from typing import Sequence, TextIO

# Control characters and bidirectional overrides would let a name rewrite the staff's terminal.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def login() -> str:
    """The operator's login name, for `--by` and for the audit log (`cli:<login>`)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "staff"


def safe(text: str) -> str:
    """Shown as typed, except characters that would act on the terminal, which are escaped."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def indented(text: str, indent: int) -> str:
    return ("\n" + " " * indent).join(safe(line) for line in text.split("\n"))


def cell(text: str, width: int) -> str:
    text = safe(text.replace("\n", " "))
    return text if len(text) <= width else text[:width - 1] + "…"


def date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d")


def moment(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def print_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """The first row is the header; columns as wide as their widest cell."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip(), file=out)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"
