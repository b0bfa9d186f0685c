"""The project's mail client (tracking/mail.py, the standard library's smtplib) against a real SMTP
server: its settings from the environment, what it sends, and how it fails."""
from __future__ import annotations

import pytest

from devtools.servers import free_port
from tracking import mail
from tracking.mail import Mail, MailError, MailNotConfigured, MailSettings

MESSAGE = Mail(to="jo.élise@example.org", subject="Votre code – ✓", body="Bonjour,\n\n    123456\n", kind="test")


def test_settings_come_from_the_environment_with_safe_defaults():
    settings = MailSettings.from_environment({"SMTP_HOST": "smtp.example.org"})
    assert (settings.port, settings.security, settings.sender, settings.user) == \
        (25, "auto", "privacy-assistant@localhost", None)
    implicit = MailSettings.from_environment({"SMTP_HOST": "smtp.example.org", "SMTP_SECURITY": "tls"})
    assert implicit.port == 465 and implicit.implicit_tls
    secret = MailSettings.from_environment({"SMTP_HOST": "h", "SMTP_USER": "u", "SMTP_PASSWORD": "hunter22"})
    assert "hunter22" not in repr(secret)


@pytest.mark.parametrize("environ, error", [({}, MailNotConfigured),
                                            ({"SMTP_HOST": "h", "SMTP_SECURITY": "ssl3"}, MailError),
                                            ({"SMTP_HOST": "h", "SMTP_PORT": "twenty-five"}, MailError)])
def test_missing_or_wrong_settings_are_refused(environ, error):
    with pytest.raises(error):
        MailSettings.from_environment(environ)


def test_a_mail_arrives_as_sent_with_its_headers(mail_sink):
    mail.send(MESSAGE)
    [received] = mail_sink.mails()
    assert (received["From"], received["To"], received["Subject"]) == \
        ("assistant@privacy.test", MESSAGE.to, MESSAGE.subject)
    assert received["Date"] and received["Message-ID"]
    assert received.get_content() == MESSAGE.body


def test_no_server_is_a_mail_error_without_the_address(mail_sink):
    with pytest.raises(MailError) as refused:
        mail.send(MESSAGE, MailSettings(host="127.0.0.1", port=free_port()))
    assert "jo" not in str(refused.value) and "example" not in str(refused.value)


def test_starttls_required_but_not_offered_sends_nothing(mail_sink):
    with pytest.raises(MailError, match="STARTTLS"):
        mail.send(MESSAGE, MailSettings(host="127.0.0.1", port=mail_sink.port, security="starttls"))
    assert mail_sink.mails() == []


def test_a_password_is_never_sent_without_tls(mail_sink):
    with pytest.raises(MailError, match="without TLS"):
        mail.send(MESSAGE, MailSettings(host="127.0.0.1", port=mail_sink.port, user="bot", password="hunter22"))
    assert mail_sink.mails() == []
