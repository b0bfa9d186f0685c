"""The chat body Rasa's REST channel and the web app's /chat accept (tracking/validation.py)."""
from __future__ import annotations

import json

import pytest

from tracking.validation import MAX_BODY_BYTES, MAX_MESSAGE_LENGTH, BadChatBody, parse_chat_body


def _body(**fields) -> bytes:
    return json.dumps(fields).encode("utf-8")


def test_a_well_formed_body_is_read_and_extra_fields_are_ignored():
    body = parse_chat_body(_body(sender="abc-123", message="Hello", metadata={"language": "en"},
                                 input_channel="web", stream=False))
    assert (body.sender, body.message, body.metadata, body.input_channel) == ("abc-123", "Hello", {"language": "en"}, "web")
    assert parse_chat_body(_body(sender="abc", message="")).metadata is None  # a blank message gets the prompt


@pytest.mark.parametrize("raw, field", [
    (b"", "body"), (b"null", "body"), (b"[1]", "body"), (b"\xff\xfe", "body"), (b"[" * 5000, "body"),
    (b'{"sender": "abc", "message": "Zorglub", "metadata": ' + b'{"a":' * 2000, "body"),
    (b'{"sender": "abc", "message": "Zorglub \\ud800"}', "body"),
    (b'{"sender": "abc", "message": "Zorglub", "metadata": {"x": "\\udfff"}}', "body"),
    (_body(message="Zorglub"), "sender"), (_body(sender=" ", message="Zorglub"), "sender"),
    (_body(sender=["a"], message="Zorglub"), "sender"), (_body(sender="a" * 129, message="Zorglub"), "sender"),
    (_body(sender="abc"), "message"), (_body(sender="abc", message=3), "message"),
    (_body(sender="abc", message="Zorglub", metadata="fr"), "metadata"),
    (_body(sender="abc", message="Zorglub", metadata=[["language", "fr"]]), "metadata"),
])
def test_a_malformed_body_is_refused_naming_the_field_never_its_value(raw, field):
    with pytest.raises(BadChatBody) as refused:
        parse_chat_body(raw)
    assert refused.value.status == 400
    assert [problem.split(":")[0] for problem in refused.value.problems] == [field]
    assert "Zorglub" not in " ".join(refused.value.problems)


def test_a_too_long_message_and_a_too_large_body_are_told_apart():
    with pytest.raises(BadChatBody) as refused:
        parse_chat_body(_body(sender="abc", message="x" * (MAX_MESSAGE_LENGTH + 1)))
    assert refused.value.status == 400 and refused.value.message_too_long
    with pytest.raises(BadChatBody) as refused:
        parse_chat_body(b" " * (MAX_BODY_BYTES + 1))
    assert refused.value.status == 413 and not refused.value.message_too_long


def test_the_longest_message_fits_in_the_body_even_escaped():
    assert len(_body(sender="a" * 128, message="é" * MAX_MESSAGE_LENGTH, metadata={"organization": "x" * 40,
                                                                                  "language": "fr"})) <= MAX_BODY_BYTES
