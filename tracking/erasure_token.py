"""The shared secret that lets a channel relay erase a conversation in Rasa (rasa_extensions/erasure_channel.py).

`RASA_ERASURE_TOKEN` when set, else the secret file var/secrets/erasure.key (tracking.keys), which
`make run`'s Rasa and Telegram relay share, so /forget works with no extra secret to set up. It is
no longer derived from the bot token: one key, one purpose. In the tracking layer, below both
adapters that must agree on it (Rasa's erasure channel and the Telegram relay), so neither imports
the other.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Mapping, Optional

from tracking import keys

TOKEN_VARIABLE = keys.ERASURE.variable
# The custom message with which the assistant tells a channel that it erased the conversation (typed
# "forget this conversation"), so that the channel forgets its side too: the widget its transcript, the
# Telegram relay the organisation and language chosen in the chat.
FORGOTTEN = "conversation_forgotten"


def forgotten_marker() -> Dict[str, bool]:
    return {FORGOTTEN: True}


def says_forgotten(messages: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the assistant's replies (Rasa's REST messages) include the marker."""
    return any(isinstance(message.get("custom"), dict) and message["custom"].get(FORGOTTEN) is True
               for message in messages)


def erasure_token(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The erasure token both sides agree on (Optional for the callers that turn erasure off without one)."""
    return keys.secret(keys.ERASURE, environ)
