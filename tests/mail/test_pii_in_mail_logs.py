"""Nothing about mail reaches a log in clear: not the requester's name or address, not a code; the
address appears only masked (tracking/pii.py), as the rest of the project logs it."""
from __future__ import annotations

import logging

from devtools.servers import free_port
from mail_flow import EMAIL, code_in, other_than

SECRETS = ("quillfeather", "privatemail", "Zoë")


def _everything_logged(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_a_whole_request_with_its_mails_and_failures_logs_no_personal_data_nor_code(conversation, mail_sink,
                                                                                    monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("SMTP_PORT", str(free_port()))
    down = conversation(sender="down")
    down.ask()  # the code cannot be sent
    monkeypatch.setenv("SMTP_PORT", str(mail_sink.port))
    talk = conversation()
    talk.ask()
    talk.say(other_than(code_in(mail_sink.mails_to(EMAIL)[0])))
    talk.say("resend the code")
    codes = [code_in(mail) for mail in mail_sink.mails_to(EMAIL)]
    assert talk.say(codes[-1])[0] == "utter_request_filed"

    logged = _everything_logged(caplog)
    assert "Sent the verification code to z***@p***.org" in logged  # mail is logged, masked
    assert "was not sent" in logged
    for secret in SECRETS + tuple(codes):
        assert secret.lower() not in logged.lower()
