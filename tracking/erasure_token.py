"""The shared secret that lets a channel relay erase a conversation in Rasa (rasa_extensions/erasure_channel.py).

`RASA_ERASURE_TOKEN` when set; otherwise derived from `TELEGRAM_BOT_TOKEN`, because `make run`
starts Rasa and the Telegram relay from one environment, so /forget works with no extra secret to
set up. Without either, erasure is off. In the tracking layer, below both adapters that must agree on
it (Rasa's erasure channel and the Telegram relay), so neither imports the other.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from typing import Mapping, Optional

TOKEN_VARIABLE = "RASA_ERASURE_TOKEN"
BOT_TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"
_DERIVATION_LABEL = b"rasa-conversation-erasure"


def erasure_token(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The erasure token both sides agree on, or None when erasure is not configured."""
    explicit = environ.get(TOKEN_VARIABLE, "").strip()
    if explicit:
        return explicit
    bot_token = environ.get(BOT_TOKEN_VARIABLE, "").strip()
    if bot_token:
        return hmac.new(bot_token.encode(), _DERIVATION_LABEL, hashlib.sha256).hexdigest()
    return None
