"""The shared secret that lets a channel relay erase a conversation in Rasa (rasa_extensions/erasure_channel.py).

`RASA_ERASURE_TOKEN` when set, else the secret file var/secrets/erasure.key (tracking.keys), which
`make run`'s Rasa and Telegram relay share, so /forget works with no extra secret to set up. It is
no longer derived from the bot token: one key, one purpose. In the tracking layer, below both
adapters that must agree on it (Rasa's erasure channel and the Telegram relay), so neither imports
the other.
"""
from __future__ import annotations

import os
from typing import Mapping, Optional

from tracking import keys

TOKEN_VARIABLE = keys.ERASURE.variable


def erasure_token(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The erasure token both sides agree on (Optional for the callers that turn erasure off without one)."""
    return keys.secret(keys.ERASURE, environ)
