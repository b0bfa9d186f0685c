"""An SMTP server that keeps each mail it receives as one .eml file in a folder, and reads them back.

Any mail client opens the files (they are the messages as sent, headers included); `read_mail()` parses
them, for the tests and for anyone scripting against the sink. It accepts any sender and recipient
and delivers nothing: for development and tests only, never exposed beyond 127.0.0.1.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Iterator

from aiosmtpd.controller import Controller

_sequence = itertools.count(1)


class FolderHandler:
    """aiosmtpd handler: each message accepted is written to `folder` as <time>-<n>.eml."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        # One reading of the clock for both parts, so that names sort in arrival order across a second's end.
        now = time.time_ns()
        name = f"{time.strftime('%Y%m%dT%H%M%S', time.localtime(now // 10**9))}-{now % 10**9:09d}-{next(_sequence):05d}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.folder / name)  # a reader never sees half a file
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def running_sink(folder: Path, port: int, host: str = "127.0.0.1") -> Iterator[Controller]:
    """The sink, serving on host:port in a background thread until the block ends."""
    # aiosmtpd's protocol log quotes every address in clear: warnings only.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(FolderHandler(folder), hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def read_mail(path: Path) -> EmailMessage:
    """One .eml file the sink wrote (lines end with a newline, as in Python, not SMTP's CRLF)."""
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes().replace(b"\r\n", b"\n"))
