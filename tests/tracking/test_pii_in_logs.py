"""Names and e-mails never reach a log line in clear, whatever the service does or refuses."""
from __future__ import annotations

import io
import logging

import pytest

from tracking import service
from tracking.scope import operator
from tracking.service import InvalidRequest

NAME = "Zoë Quillfeather"
EMAIL = "zoe.quillfeather@privatemail.example.org"
MALFORMED_EMAIL = "zoe.quillfeather@nodot"  # a constant: the traceback logged below shows the calling line
SECRETS = ("quillfeather", "privatemail", "Zoë")
OPERATOR = operator("test")  # the command line's access: every organisation


def _everything_logged(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_no_name_or_email_in_clear_in_any_log_record(uow, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # statements too, as with echo=True
    record = service.submit_request(organization="cesi", right="erasure", name=NAME, email=EMAIL,
                                    description=f"I am {NAME}, write to {EMAIL}", language="en", uow=uow)
    with pytest.raises(InvalidRequest) as refused:
        service.submit_request(organization="cesi", right="erasure", name=NAME, email=MALFORMED_EMAIL, uow=uow)
    logging.getLogger("tracking.test").exception("refused: %s", refused.value, exc_info=refused.value)
    service.find_for_requester(record.reference, EMAIL, uow=uow)
    service.find_for_requester(record.reference, "zoe.quillfeather@other.example.org", uow=uow)
    changed = service.change_status(record.reference, "in_progress", by="alice", note="started",
                                    caller=OPERATOR, uow=uow)
    logging.getLogger("tracking.test").info("record: %r", changed)
    service.export_csv(io.StringIO(), caller=OPERATOR, uow=uow)
    list(service.iter_json_lines(caller=OPERATOR, uow=uow))

    logged = _everything_logged(caplog)
    assert "INSERT INTO requests" in logged  # SQL statements were logged...
    for secret in SECRETS:
        assert secret.lower() not in logged.lower()  # ...but not their values
    assert "for Z*** Q*** <z***@p***.org>" in logged  # the filing is logged, masked
    assert "quillfeather" not in str(refused.value)
