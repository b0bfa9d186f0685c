"""A real SMTP server for tests and scripts (the development sink, apps/mailsink) on a free port, the
environment that points the project's mail client at it, and the codes read back from its mail."""
from __future__ import annotations

import contextlib
import re
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Dict, Iterator, List

from apps.mailsink.sink import read_mail, running_sink
from devtools.servers import free_port

CODE_LINE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)  # the code stands alone on its line (data/texts/mail.yml)
SENDER = "assistant@privacy.test"
VERIFICATION_SECRET = "tests-verification-secret"


def code_in(mail: EmailMessage) -> str:
    """The verification code a mail carries."""
    return CODE_LINE.search(mail.get_content()).group(1)


class MailSink:
    """The mail received so far in the sink's folder."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = Path(folder), port
        # Each file parsed once: a bench or test polls while thousands of mails pile up, and parsing
        # them all again on every poll made the bench's own client compete with the servers for CPU.
        self._parsed: Dict[str, EmailMessage] = {}

    @property
    def environment(self) -> Dict[str, str]:
        """What the servers need to send their mail here (and to agree on a verification key)."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_FROM": SENDER,
                "VERIFICATION_SECRET": VERIFICATION_SECRET}

    def mails(self) -> List[EmailMessage]:
        """Every mail received, oldest first (a sink's files are written whole, then renamed)."""
        for path in sorted(self.folder.glob("*.eml")):
            if path.name not in self._parsed:
                self._parsed[path.name] = read_mail(path)
        return [self._parsed[name] for name in sorted(self._parsed)]

    def mails_to(self, address: str) -> List[EmailMessage]:
        return [mail for mail in self.mails() if mail["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30.0) -> List[EmailMessage]:
        """The mails to `address`, once there are at least `count` of them; fewer after `timeout` seconds
        is an error (a test reading "the latest" of too few mails would read an older one)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.mails_to(address)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} mails arrived within {timeout:.0f} s")
            time.sleep(0.1)

    def latest_code(self, address: str, count: int = 1) -> str:
        """The code of the latest verification mail to `address` (the `count`-th one or later)."""
        return code_in(self.wait_for(address, count)[-1])


@contextlib.contextmanager
def receiving_mail(folder: Path) -> Iterator[MailSink]:
    """A mail sink on a free port of 127.0.0.1, writing to `folder`, until the block ends."""
    sink = MailSink(folder, free_port())
    with running_sink(sink.folder, sink.port):
        yield sink
