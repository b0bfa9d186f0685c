"""Outgoing mail: SMTP settings from the environment, and the one function that sends a mail.

    SMTP_HOST, SMTP_PORT       the server (no SMTP_HOST: mail is not configured, nothing can be sent)
    SMTP_FROM                  the sender address (default privacy-assistant@localhost)
    SMTP_USER, SMTP_PASSWORD   optional login, only ever sent over TLS
    SMTP_SECURITY              auto (default), starttls, tls or none
    SMTP_TIMEOUT               seconds to wait for the server (default 10)

`auto` is TLS from the first byte on port 465, else STARTTLS when the server offers it and plain SMTP
when it does not (a local development sink); `starttls` and `tls` refuse to send without encryption.
Used by the bot's actions (verification codes, acknowledgements, staff notifications) and by the
staff command line (the digest) alike, with the standard library's smtplib. Recipients reach the logs
masked (tracking.pii), and errors name neither a recipient nor what the server said about one.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Iterator, Mapping, Optional

from tracking import metrics
from tracking.pii import PII

logger = logging.getLogger(__name__)

HOST_VARIABLE = "SMTP_HOST"
PORT_VARIABLE = "SMTP_PORT"
FROM_VARIABLE = "SMTP_FROM"
USER_VARIABLE = "SMTP_USER"
PASSWORD_VARIABLE = "SMTP_PASSWORD"
SECURITY_VARIABLE = "SMTP_SECURITY"
TIMEOUT_VARIABLE = "SMTP_TIMEOUT"
DEFAULT_SENDER = "privacy-assistant@localhost"
DEFAULT_TIMEOUT_S = 10.0
IMPLICIT_TLS_PORT = 465
SECURITY_MODES = ("auto", "starttls", "tls", "none")


class MailError(Exception):
    """A mail could not be sent. The message says why without naming the recipient."""


class MailNotConfigured(MailError):
    """No SMTP server is configured (SMTP_HOST is not set)."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int = 25
    sender: str = DEFAULT_SENDER
    user: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    security: str = "auto"
    timeout: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "MailSettings":
        """The settings of the SMTP_* variables; MailNotConfigured without SMTP_HOST, MailError if one is wrong."""
        host = environ.get(HOST_VARIABLE, "").strip()
        if not host:
            raise MailNotConfigured(f"{HOST_VARIABLE} is not set: no mail can be sent")
        security = (environ.get(SECURITY_VARIABLE) or "auto").strip().lower()
        if security not in SECURITY_MODES:
            raise MailError(f"{SECURITY_VARIABLE} must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        try:
            default_port = IMPLICIT_TLS_PORT if security == "tls" else 25
            port = int(environ.get(PORT_VARIABLE) or default_port)
            timeout = float(environ.get(TIMEOUT_VARIABLE) or DEFAULT_TIMEOUT_S)
        except ValueError:
            raise MailError(f"{PORT_VARIABLE} and {TIMEOUT_VARIABLE} must be numbers") from None
        return cls(host=host, port=port, sender=(environ.get(FROM_VARIABLE) or DEFAULT_SENDER).strip(),
                   user=environ.get(USER_VARIABLE) or None, password=environ.get(PASSWORD_VARIABLE) or None,
                   security=security, timeout=timeout)

    @property
    def implicit_tls(self) -> bool:
        return self.security == "tls" or (self.security == "auto" and self.port == IMPLICIT_TLS_PORT)


@dataclass(frozen=True)
class Mail:
    """A plain-text mail to one recipient. `kind` names it in logs ("verification code", "digest")."""

    to: str = field(repr=False)
    subject: str
    body: str = field(repr=False)
    kind: str = "mail"


def as_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.body)  # UTF-8, quoted-printable or base64 as needed
    return message


def send(mail: Mail, settings: Optional[MailSettings] = None) -> None:
    """Sends `mail` through the configured SMTP server; MailError if it could not be handed over."""
    settings = settings or MailSettings.from_environment()
    message = as_message(mail, settings.sender)
    try:
        with _connection(settings) as smtp:
            smtp.send_message(message)
    except MailError as error:
        logger.warning("The %s to %s was not sent: %s", mail.kind, PII(mail.to, "email"), error)
        _count(mail, "failed")
        raise
    except (smtplib.SMTPException, OSError) as error:
        # The server's words may quote the address: only the kind of failure and its SMTP code.
        code = getattr(error, "smtp_code", None)
        reason = f"{type(error).__name__}{f' {code}' if code else ''}"
        logger.warning("The %s to %s was not sent: %s", mail.kind, PII(mail.to, "email"), reason)
        _count(mail, "failed")
        raise MailError(f"the {mail.kind} was not sent ({reason})") from None
    logger.info("Sent the %s to %s", mail.kind, PII(mail.to, "email"))
    _count(mail, "sent")


def _count(mail: Mail, outcome: str) -> None:
    metrics.MAILS.labels(kind=metrics.name_label(mail.kind.replace(" ", "_")), outcome=outcome).inc()


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One TLS context for the process, made when TLS is first used: making it reads the system's CA
    bundle, which cost more CPU than the rest of a rights request's turn (a third of the action
    server's time under `make bench`'s load, three mails a request). A context is safe to share
    between the threads mail is sent from; a CA bundle updated on disk is read at the next start."""
    return ssl.create_default_context()


@contextlib.contextmanager
def _connection(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    """An SMTP session with the security the settings ask for, logged in if they give a user; closed after."""
    if settings.implicit_tls:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=_tls_context())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        encrypted = settings.implicit_tls
        if not encrypted and settings.security in ("auto", "starttls"):
            if smtp.has_extn("starttls"):
                smtp.starttls(context=_tls_context())
                smtp.ehlo()
                encrypted = True
            elif settings.security == "starttls":
                raise MailError("the SMTP server does not offer STARTTLS (SMTP_SECURITY=starttls)")
        if settings.user:
            if not encrypted and settings.security != "none":
                raise MailError("refusing to send the SMTP password without TLS (set SMTP_SECURITY)")
            smtp.login(settings.user, settings.password or "")
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
