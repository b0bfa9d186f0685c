"""Every log record is cleaned of conversation data where it is made (tracking/log_privacy.py)."""
from __future__ import annotations

import json
import logging
import warnings

import pytest

from tracking import log_privacy
from tracking.log_privacy import WITHHELD, clean, install_log_privacy

TRACKER = {"sender_id": "web-abc", "slots": {"full_name": "Zoë Quillfeather", "email": "zoe@privatemail.org"},
           "latest_message": {"text": "I am Zoë Quillfeather"}, "events": []}


@pytest.fixture
def logged(caplog, monkeypatch):
    factory = logging.getLogRecordFactory()
    monkeypatch.setattr(log_privacy, "_installed", None)
    monkeypatch.setattr(logging, "_logRecordFactory", factory)  # put back after the test
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    install_log_privacy()
    caplog.set_level(logging.DEBUG)

    def everything() -> str:
        return "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    return everything


def test_rasa_sdk_s_failed_action_record_keeps_its_words_not_the_request_body(logged):
    body = {"error": "unhashable type: 'dict'", "request_body": {"next_action": "x", "tracker": TRACKER}}
    logging.getLogger("rasa_sdk.endpoint").error("Exception occurred: %s", json.dumps(body))
    logging.getLogger("rasa.core").error(f"Action server responded {body}")  # an f-string, as Rasa writes
    text = logged()
    assert "Quillfeather" not in text and "privatemail" not in text
    assert f"Exception occurred: {WITHHELD}" in text


def test_rasa_s_structlog_lines_and_escaped_bodies_are_withheld(logged):
    rasa = logging.getLogger("rasa.core.channels.rest")
    rasa.error(json.dumps({"text": "I am Zoë Quillfeather", "event": "rest.message.received.timeout"}))
    rasa.error(json.dumps({"event": "x", "exception": "ClientResponseError: 500, body='" + json.dumps(TRACKER) + "'"}))
    rasa.error("rest.message.received.failure  text=I am Zoë Quillfeather")
    assert "Quillfeather" not in logged()


def test_a_timed_out_message_keeps_its_length_only(logged):
    logging.getLogger("rasa.core.channels.rest").error(
        "Message handling timed out for user message 'I am Zoë Quillfeather'.")
    assert "Message handling timed out for user message <21 characters>." in logged()


def test_e_mail_addresses_anywhere_are_masked_and_tracebacks_too(logged):
    try:
        raise KeyError("zoe.quillfeather@privatemail.org")
    except KeyError:
        logging.getLogger("tracking.test").exception("lookup for %s failed", "zoe.quillfeather@privatemail.org")
    text = logged()
    assert "quillfeather" not in text and "z***@p***.org" in text
    assert "Traceback" in text


def test_an_address_already_masked_is_left_as_it_is():
    assert clean("Sent the code to z***@p***.org") == "Sent the code to z***@p***.org"


def test_clean_leaves_ordinary_lines_alone():
    line = "Action 'action_answer_question' ran in 12 ms for conversation web-abc"
    assert clean(line) == line


def test_installing_twice_cleans_once(logged):
    install_log_privacy()
    logging.getLogger("x").warning("to %s", "jo@example.com")
    assert "j***@e***.com" in logged()


def test_log_format_json_writes_one_cleaned_object_per_line_from_every_handler():
    """LOG_FORMAT=json: in a process of its own, since it changes how every handler formats."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (
        "import json, logging, sys\n"
        "from tracking.log_privacy import install_log_privacy\n"
        "install_log_privacy()\n"
        "logging.basicConfig(level=logging.INFO, format='%(levelname)s plain text %(message)s')\n"
        "late = logging.StreamHandler(sys.stderr); late.setFormatter(logging.Formatter('%(message)s'))\n"
        "logging.getLogger('sanic.error').addHandler(late)  # a handler set up later, as Sanic's\n"
        "logging.getLogger('rasa_sdk.endpoint').error('Exception occurred: %s', json.dumps({'tracker': "
        f"{TRACKER!r}}}))\n"
        "logging.getLogger('sanic.error').warning('lookup for %s', 'zoe.quillfeather@privatemail.org')\n"
        "try:\n    raise KeyError('zoe@privatemail.org')\n"
        "except KeyError:\n    logging.getLogger('tracking.x').exception('failed')\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root), "LOG_FORMAT": "json"})
    lines = result.stderr.splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(entries) == 4 and "plain text" not in result.stderr
    assert {"time", "level", "logger", "process", "message"} <= set(entries[0])
    assert entries[0]["message"] == f"Exception occurred: {WITHHELD}"
    assert entries[1]["message"] == entries[2]["message"] == "lookup for z***@p***.org"
    assert "Traceback" in entries[3]["exception"] and entries[3]["level"] == "ERROR"
    assert "Quillfeather" not in result.stderr and "privatemail" not in result.stderr


def test_rasa_s_warning_about_a_typed_payload_keeps_its_words_not_the_payload(logged, monkeypatch):
    typed = '/inform{"full_name": "Zoë Quillfeather", "email": "zoe@privatemail.org"'
    message = (f"Failed to parse arguments in line '{typed}'. Failed to decode parameters as a json object (dict). "
               f"Continuing without {typed[7:]}.")
    logging.getLogger("rasa.shared").warning(message)
    shown = []  # rasa.shared.utils.io.raise_warning warns: warnings.showwarning prints it to stderr
    monkeypatch.setattr(warnings, "showwarning", lambda message, *args, **kwargs: shown.append(str(message)))
    monkeypatch.setattr(log_privacy, "_installed", None)
    install_log_privacy()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(message, UserWarning)
    assert shown == [f"Failed to parse arguments in line {WITHHELD}"]
    assert "Quillfeather" not in logged() and "privatemail" not in logged()
