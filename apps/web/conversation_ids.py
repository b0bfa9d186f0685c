"""The widget's conversation ids: drawn by the web app, signed, and checked on every /chat message.

On Rasa's REST channel a conversation's id is its only credential: whoever sends a message under it
reads and continues that conversation. So the widget no longer invents it: `POST /chat/session` draws
128 random bits and hands the widget a token `<id>.<issued>.<signature>`, the signature being an
HMAC-SHA256 of the id and the issue time (Unix seconds) under its own key (tracking.keys,
WIDGET_CONVERSATION_KEY). /chat relays a message only under a token whose signature checks
(constant-time comparison) and that was issued less than CONVERSATION_TTL seconds ago, as
`web-<id>`. Every answer re-issues the token at that time, so a conversation in use never expires,
and one left idle longer than CONVERSATION_TTL has been forgotten by Rasa too: the widget then asks
for a new token, which starts a new conversation.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from tracking import keys
from tracking.config import conversation_ttl

CLOCK_SKEW_SECONDS = 300  # an issue time this far ahead is still taken (several processes, one key)
_TOKEN = re.compile(r"^([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")
PURPOSE = "widget-conversation"  # signed with the id: a MAC made for another use never passes here


class RefusedConversation(ValueError):
    """The token is missing, malformed, forged, signed with another key (`reason` "invalid"), or too old
    ("expired"). Either way the widget asks for a new one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ConversationIds:
    key: bytes
    ttl_seconds: int
    clock: Callable[[], float] = time.time

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "ConversationIds":
        return cls(keys.secret(keys.WIDGET_CONVERSATION, environ).encode("utf-8"), conversation_ttl(environ))

    def issue(self, conversation: str = "") -> str:
        """A token for `conversation` (a new random id when empty), issued now."""
        conversation = conversation or secrets.token_urlsafe(16)
        issued = str(int(self.clock()))
        return f"{conversation}.{issued}.{self._signature(conversation, issued)}"

    def conversation(self, token: str) -> str:
        """The conversation id `token` was issued for, if it is genuine and not expired; else RefusedConversation."""
        match = _TOKEN.match(token or "")
        if match is None:
            raise RefusedConversation("invalid")
        conversation, issued, signature = match.groups()
        if not hmac.compare_digest(signature, self._signature(conversation, issued)):
            raise RefusedConversation("invalid")
        age = self.clock() - int(issued)
        if age < -CLOCK_SKEW_SECONDS:
            raise RefusedConversation("invalid")
        if age > self.ttl_seconds:
            raise RefusedConversation("expired")
        return conversation

    def _signature(self, conversation: str, issued: str) -> str:
        mac = hmac.new(self.key, "\x1f".join((PURPOSE, conversation, issued)).encode("ascii"), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")
