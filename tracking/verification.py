"""Checking that a requester owns the e-mail address they give, with a 6-digit code sent to it.

No table: the conversation keeps a `Verification` (in a slot), which holds only an HMAC of the code
bound to the address and the conversation, never the code itself; its expiry (15 minutes), the
tries left (3 in all) and how many codes were sent (the first and up to 3 more). The HMAC key is
VERIFICATION_SECRET, else the secret file VERIFICATION_SECRET_FILE (default var/secrets/verification.key
through tracking.keys, or var/verification.key where an older version made it; created on first
use, readable by its owner only). Changing the key voids the codes under way.
"""
from __future__ import annotations

import enum
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Mapping, Optional, Tuple

from tracking import clock, keys

CODE_DIGITS = 6
VALID_FOR = timedelta(minutes=15)
TRIES = 3
MAX_RESENDS = 3
SHORT_ATTEMPT_WORDS = 3  # a message this short with digits in it is a try at the code
SECRET_VARIABLE = keys.VERIFICATION.variable
SECRET_FILE_VARIABLE = keys.VERIFICATION.file_variable
# Digits as people type or paste a code: "123456", "123 456", "123-456", "my code is 12 34 56".
_DIGIT_RUN = re.compile(r"\d(?:[ \u00a0.-]?\d)*")


class Outcome(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"                # tries are left
    NO_TRIES_LEFT = "no_tries_left"
    EXPIRED = "expired"
    NO_CODE = "no_code"            # no code is live (the last one could not be sent, or a new one is wanted)


def secret_key(environ: Mapping[str, str] = os.environ) -> bytes:
    """The HMAC key: VERIFICATION_SECRET, else its secret file (tracking.keys), created with a random key if missing."""
    return keys.secret(keys.VERIFICATION, environ).encode("utf-8")


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def typed_code(message: str) -> Optional[str]:
    """The digits of a message that tries a code: a run of six anywhere; else, in a short message
    ("12345", "code 1234567"), its longest run (a wrong length, refused without spending a try);
    else None: the message tries no code ("how long after 3 years?" is a question)."""
    runs = [re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(message or "")]
    six = next((run for run in runs if len(run) == CODE_DIGITS), None)
    if six or not runs:
        return six
    return max(runs, key=len) if len((message or "").split()) <= SHORT_ATTEMPT_WORDS else None


def _mac(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def _address_mac(key: bytes, email: str) -> str:
    return _mac(key, "address", email.casefold())


def _code_mac(key: bytes, code: str, email: str, conversation: str) -> str:
    return _mac(key, "code", code, email.casefold(), conversation)


@dataclass(frozen=True)
class Verification:
    """Where the check of one address stands in one conversation (kept in a slot as a dict)."""

    address: str                  # HMAC of the address it checks
    code: Optional[str] = None    # HMAC of the live code; None when none is live
    expires_at: Optional[str] = None  # ISO time the live code stops being accepted
    tries_left: int = TRIES
    sent: int = 0                 # codes sent (the first and the resends)

    def to_slot(self) -> dict:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> Optional["Verification"]:
        if not isinstance(value, dict):
            return None
        try:
            return cls(address=str(value["address"]), code=value.get("code"), expires_at=value.get("expires_at"),
                       tries_left=int(value.get("tries_left", TRIES)), sent=int(value.get("sent", 0)))
        except (KeyError, TypeError, ValueError):
            return None

    def is_for(self, email: str, key: bytes) -> bool:
        return hmac.compare_digest(self.address, _address_mac(key, email))

    @property
    def has_live_code(self) -> bool:
        return self.code is not None

    @property
    def can_resend(self) -> bool:
        return self.sent <= MAX_RESENDS

    def is_expired(self, now: Optional[datetime] = None) -> bool:
        return self.expires_at is None or (now or clock.utcnow()) >= datetime.fromisoformat(self.expires_at)

    def without_code(self) -> "Verification":
        """No code live any more: the next one must be sent (a resend, or a failed send)."""
        return replace(self, code=None, expires_at=None)


def start(email: str, key: bytes) -> Verification:
    """A verification of `email` with no code sent yet."""
    return Verification(address=_address_mac(key, email))


def issue(state: Verification, email: str, conversation: str, key: bytes,
          now: Optional[datetime] = None) -> Tuple[Verification, str]:
    """A new code, and the state to keep once it is sent; the previous code no longer counts."""
    code = new_code()
    now = now or clock.utcnow()
    issued = replace(state, code=_code_mac(key, code, email, conversation),
                     expires_at=(now + VALID_FOR).isoformat(), sent=state.sent + 1)
    return issued, code


def check(state: Verification, typed: str, email: str, conversation: str, key: bytes,
          now: Optional[datetime] = None) -> Tuple[Outcome, Verification]:
    """Whether `typed` is the live code for this address and conversation; spends a try when it is not."""
    if not state.has_live_code:
        return Outcome.NO_CODE, state
    if state.is_expired(now):
        return Outcome.EXPIRED, state.without_code()
    if hmac.compare_digest(_code_mac(key, typed, email, conversation), state.code or ""):
        return Outcome.VERIFIED, state.without_code()
    left = state.tries_left - 1
    if left <= 0:
        return Outcome.NO_TRIES_LEFT, replace(state.without_code(), tries_left=0)
    return Outcome.WRONG, replace(state, tries_left=left)
