"""Keeps what people typed out of every log line of every process (Rasa, actions, web app, Telegram).

    from tracking.log_privacy import install_log_privacy
    install_log_privacy()          # first thing in a process's main(), before logging is configured

Our own code logs personal data only through tracking.pii.PII, but Rasa, rasa-sdk and Sanic log what
they hold: a failed action makes rasa-sdk log and return the whole request body (the tracker: slots
with names and e-mails, every message), Rasa logs the text of a message whose handling timed out, and
at DEBUG Rasa dumps parse data and trackers. Their log calls cannot be changed, so every record is
cleaned where it is made (a log record factory, so it holds whatever handlers Rasa or Sanic configure
later, and in the processes Sanic forks): a record whose message carries a conversation payload keeps
only its words before the payload, a quoted user message keeps only its length, and any e-mail
address left is masked as tracking.pii masks it. The same for the traceback of a logged exception.

With LOG_FORMAT=json every handler of the process writes one JSON object per line instead (time,
level, logger, process, message, exception), from the same cleaned record: Rasa, rasa-sdk and Sanic
configure their own handlers and formatters after we start, so the JSON format is put where every
handler formats a record (logging.Handler.format), as the cleaning is put where every record is made.
Python's warnings become records too; only what is printed outside logging stays plain text (Rasa's two
start lines, a warning raised while a module is imported before this is installed).
"""
from __future__ import annotations

import json
import logging
import os
import re
import warnings
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from tracking.pii import mask_email, mask_text

WITHHELD = "<conversation data withheld from the log>"
# An address, not one tracking.pii already masked ("j***@e***.com": no "*" before the "@", none after the domain).
EMAIL = re.compile(r"[\w.!#$%&'+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*(?![\w*.-])", re.UNICODE)
# Keys only a conversation's payload has (a tracker, a parsed message, an action call): as JSON or repr,
# also escaped inside a JSON string (Rasa's structlog lines render an error's body so), or as structlog's
# console renderer writes them (text=...).
_KEYS = (r"(?:tracker|events|latest_message|slots|text|user_text|sender_id|request_body|parse_data|entities|"
         r"intent_ranking|metadata|full_name|email|user_message|slot_values|tracker_latest_message)")
PAYLOAD_KEY = re.compile(rf"""\\*["']{_KEYS}\\*["']\s*:|(?:^|\s){_KEYS}=""")
# Rasa's "Message handling timed out for user message 'X'." and its DEBUG "Received user message 'X' ...".
QUOTED_USER_MESSAGE = re.compile(r"""(user message\s+)(['"])(.*?)\2(?=[\s.,]|$)""", re.DOTALL)
# Rasa's DEBUG lines that are nothing but a conversation: dropped whole.
DROPPED_PREFIXES = ("Received user message", "Logged UserUtterance", "Current slot values", "Tracker:",
                    "Parsed message", "Request body", "Action server responded")

FORMAT_VARIABLE = "LOG_FORMAT"   # "json", or unset for the handlers' own text format

# Rasa's warnings about a typed "/intent{...}" message quote it, and parts of it, all through: only
# their first words are kept.
QUOTING_PREFIXES = ("Failed to parse arguments in line",)

_installed: Optional[Callable[..., logging.LogRecord]] = None


def clean(message: str) -> str:
    """A log message without conversation payloads, user messages or e-mail addresses in clear."""
    for prefix in QUOTING_PREFIXES:
        at = message.find(prefix)
        if at >= 0:
            message = f"{message[:at + len(prefix)]} {WITHHELD}"
    payload = PAYLOAD_KEY.search(message)
    if payload:
        start = min((i for i in (message.rfind("{", 0, payload.start()), message.rfind("[", 0, payload.start()))
                     if i >= 0), default=payload.start())
        message = f"{message[:start].rstrip()} {WITHHELD}"
    message = QUOTED_USER_MESSAGE.sub(lambda m: f"{m.group(1)}{mask_text(m.group(3))}", message)
    return EMAIL.sub(lambda m: mask_email(m.group(0)), message)


def clean_record(record: logging.LogRecord) -> logging.LogRecord:
    """Replaces the record's message and arguments by their cleaned text (and its traceback's)."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed log call: its raw parts, cleaned, are all we can show
        message = f"{record.msg} {record.args!r}"
    if message.startswith(DROPPED_PREFIXES) and record.levelno <= logging.DEBUG:
        message = f"{message.split(' ', 2)[0]} ... {WITHHELD}"
    record.msg, record.args = clean(message), ()
    if record.exc_info and not record.exc_text:
        traceback = logging.Formatter().formatException(record.exc_info)
        record.exc_text = "\n".join(clean(line) for line in traceback.splitlines())
    return record


def install_log_privacy() -> None:
    """Cleans every log record of this process from now on (idempotent)."""
    global _installed
    if _installed is not None:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return clean_record(previous(*args, **kwargs))

    _installed = previous
    logging.setLogRecordFactory(factory)
    if os.environ.get(FORMAT_VARIABLE, "").strip().lower() == "json":
        logging.Handler.format = _format_as_json  # type: ignore[method-assign]
        logging.captureWarnings(True)  # Python's warnings too (deprecations at import), as "py.warnings" records

    # Rasa also warns through `warnings` (printed to stderr, not logged): those lines are cleaned too.
    show = warnings.showwarning

    def show_cleaned(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                     line: Optional[str] = None) -> None:
        show(clean(str(message)), category, filename, lineno, file, line)

    warnings.showwarning = show_cleaned


class JsonFormatter(logging.Formatter):
    """One JSON object per record, holding only its cleaned text: never the record's other attributes
    (a library's `extra=` could carry anything)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "process": record.process,
                 "message": clean(record.getMessage())}  # cleaned again: a record made before install
        if record.exc_info and not record.exc_text:
            record.exc_text = "\n".join(clean(line) for line in self.formatException(record.exc_info).splitlines())
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = clean(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


_JSON = JsonFormatter()


def _format_as_json(_handler: logging.Handler, record: logging.LogRecord) -> str:
    return _JSON.format(record)
