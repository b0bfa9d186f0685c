"""The widget's signed conversation ids (apps/web/conversation_ids.py): only a token the web app issued
with its key, and not older than CONVERSATION_TTL, names a conversation."""
from __future__ import annotations

import pytest

from apps.web.conversation_ids import CLOCK_SKEW_SECONDS, ConversationIds, RefusedConversation
from tracking import keys

KEY = b"k" * 32
TTL = 3600
NOW = 1_800_000_000.0


def ids(key: bytes = KEY, now: float = NOW) -> ConversationIds:
    return ConversationIds(key, TTL, clock=lambda: now)


def refused(token: str) -> str:
    with pytest.raises(RefusedConversation) as error:
        ids().conversation(token)
    return error.value.reason


def test_an_issued_token_names_a_new_random_conversation_and_fits_the_chat_body():
    first, second = ids().issue(), ids().issue()
    assert ids().conversation(first) != ids().conversation(second)
    assert len(ids().conversation(first)) == 22 and len(first) <= 128  # MAX_SENDER_LENGTH


def test_a_renewed_token_keeps_the_conversation():
    conversation = ids().conversation(ids().issue())
    assert ids(now=NOW + 60).conversation(ids(now=NOW + 50).issue(conversation)) == conversation


@pytest.mark.parametrize("token", ["", "0123456789abcdef0123456789abcdef", "a.b.c", "x" * 128, "é" * 80])
def test_anything_not_issued_is_refused(token):
    assert refused(token) == "invalid"


def test_a_tampered_token_is_refused():
    token = ids().issue()
    conversation, issued, signature = token.split(".")
    other = ids().conversation(ids().issue())
    assert refused(f"{other}.{issued}.{signature}") == "invalid"                 # someone else's conversation
    assert refused(f"{conversation}.{int(issued) + 1}.{signature}") == "invalid"  # a later issue time
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert refused(f"{conversation}.{issued}.{flipped}") == "invalid"


def test_a_token_signed_with_another_key_is_refused():
    assert refused(ids(key=b"another key").issue()) == "invalid"


def test_a_token_older_than_the_conversation_ttl_has_expired():
    token = ids(now=NOW - TTL - 1).issue()
    assert refused(token) == "expired"
    assert ids().conversation(ids(now=NOW - TTL).issue())  # exactly the TTL old: still valid


def test_a_token_from_the_future_is_refused_beyond_the_clock_skew():
    assert ids().conversation(ids(now=NOW + CLOCK_SKEW_SECONDS).issue())
    assert refused(ids(now=NOW + CLOCK_SKEW_SECONDS + 1).issue()) == "invalid"


def test_the_key_is_its_own_and_the_ttl_is_the_conversations(tmp_path):
    environ = {"SECRETS_DIR": str(tmp_path), "CONVERSATION_TTL": "900"}
    configured = ConversationIds.from_env(environ)
    assert configured.ttl_seconds == 900
    assert (tmp_path / "widget-conversation.key").read_text().strip().encode() == configured.key
    others = [keys.secret(key, environ) for key in (keys.ERASURE, keys.TELEGRAM_SENDER, keys.VERIFICATION)]
    assert configured.key.decode() not in others
    assert ConversationIds.from_env({**environ, "WIDGET_CONVERSATION_KEY": "set"}).key == b"set"
