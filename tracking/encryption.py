"""Requesters' personal data encrypted at rest: AES-256-GCM for names, e-mails and descriptions, and
a keyed hash (HMAC-SHA256) of the e-mail so lookups by address need no decryption.

Keys come through tracking.keys: TRACKING_ENCRYPTION_KEYS (else var/secrets/data-encryption.key) holds
one key or several separated by commas or whitespace, the first encrypting and every one reading;
TRACKING_LOOKUP_KEY (else var/secrets/email-lookup.key) keys the e-mail hash. A key is 64 hex digits
(anything else is hashed into 32 bytes). Each ciphertext starts with its key's id (8 hex digits of
the key's SHA-256), so rows written under an older key stay readable until `python -m tracking
rotate-key` re-encrypts them. The ORM reads and writes clear text through `EncryptedText`; the rest
of the code never sees a ciphertext.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from tracking import keys

NONCE_BYTES = 12
HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
_cache_lock = threading.Lock()
_cache: Dict[Tuple[str, str, Tuple[int, int]], "KeyRing"] = {}


class DecryptionError(ValueError):
    """A ciphertext under a key that is not in the key ring any more, or altered."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: Dict[str, bytes]

    @classmethod
    def parse(cls, text: str) -> "KeyRing":
        entries = [entry for entry in re.split(r"[\s,]+", text.strip()) if entry]
        if not entries:
            raise ValueError("no encryption key")
        material = [bytes.fromhex(entry) if HEX_KEY.match(entry) else hashlib.sha256(entry.encode()).digest()
                    for entry in entries]
        by_id = {key_id(key): key for key in reversed(material)}
        return cls(current_id=key_id(material[0]), keys=by_id)

    def encrypt(self, plain: str, label: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current_id]).encrypt(nonce, plain.encode("utf-8"), label.encode())
        return f"{self.current_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str, label: str) -> str:
        identifier, _, payload = stored.partition(":")
        key = self.keys.get(identifier)
        if key is None:
            raise DecryptionError(f"no key {identifier!r} in the key ring (TRACKING_ENCRYPTION_KEYS)")
        raw = base64.b64decode(payload)
        try:
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], label.encode()).decode("utf-8")
        except Exception as error:  # cryptography's InvalidTag: altered or under another label
            raise DecryptionError(f"cannot decrypt a {label} under key {identifier}") from error


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def key_ring(environ: Mapping[str, str] = os.environ) -> KeyRing:
    """The key ring, read again when its variable or file changes (another process may rotate it)."""
    explicit = environ.get(keys.DATA_ENCRYPTION.variable, "").strip()
    path = keys.key_file(keys.DATA_ENCRYPTION, environ)
    try:
        status = path.stat()
        changed = (status.st_mtime_ns, status.st_ino) if not explicit else (0, 0)
    except FileNotFoundError:
        changed = (-1, -1)
    cache_key = (explicit, str(path), changed)
    with _cache_lock:
        ring = _cache.get(cache_key)
        if ring is None:
            ring = _cache[cache_key] = KeyRing.parse(keys.secret(keys.DATA_ENCRYPTION, environ))
        return ring


def encrypt(plain: str, label: str) -> str:
    return key_ring().encrypt(plain, label)


def decrypt(stored: str, label: str) -> str:
    return key_ring().decrypt(stored, label)


def email_hash(email: str, environ: Mapping[str, str] = os.environ) -> str:
    """HMAC-SHA256 of the address as stored (tracking.validation.normalize_email): finds it without reading it."""
    key = keys.secret(keys.EMAIL_LOOKUP, environ).encode("utf-8")
    return hmac.new(key, email.encode("utf-8"), hashlib.sha256).hexdigest()


def add_key(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """A new random key put first in the key file (the old ones kept for reading); returns its id.
    None when the keys come from TRACKING_ENCRYPTION_KEYS: the operator puts the new key first there."""
    if environ.get(keys.DATA_ENCRYPTION.variable, "").strip():
        return None
    path = keys.key_file(keys.DATA_ENCRYPTION, environ)
    existing = keys.secret(keys.DATA_ENCRYPTION, environ)
    new_key = secrets.token_hex(32)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(new_key + "\n" + existing + "\n")
    os.replace(temporary, path)
    return key_id(bytes.fromhex(new_key))


class EncryptedText(TypeDecorator):
    """A text column stored as `<key id>:<base64 nonce+AES-GCM ciphertext>`; `label` (the field) is
    authenticated with it, so a name cannot be passed off as an e-mail."""

    impl = Text
    cache_ok = True

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def process_bind_param(self, value: Optional[str], dialect) -> Optional[str]:
        return None if value is None else encrypt(value, self.label)

    def process_result_value(self, value: Optional[str], dialect) -> Optional[str]:
        return None if value is None else decrypt(value, self.label)
