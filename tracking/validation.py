"""Checks on what a person gives when filing a request; shared by the service and the bot's form."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from tracking.models import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH

# A pragmatic address check, not RFC 5322: something@domain.tld, the domain with at least one dot
# and a top-level domain of two letters or more; Unicode letters allowed (internationalised mail).
# Quantifiers are bounded (a local part is at most 64 characters) and the pattern only ever runs on
# one whitespace-free token of bounded length (extract_email), so a long hostile message ("!!!…",
# "a@a@…") costs time proportional to its length: unbounded, 8,000 "!" took over a second.
_LOCAL = r"[\w!#$%&'*+/=?^`{|}~-]{1,64}(?:\.[\w!#$%&'*+/=?^`{|}~-]{1,64}){0,32}"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_TLD = r"[^\W\d_]{2,63}"
EMAIL_PATTERN = re.compile(rf"(?<![\w.@+-])({_LOCAL}@(?:{_LABEL}\.){{1,16}}{_TLD})(?![\w@-]|\.[\w-])", re.UNICODE)
# The longest token searched for an address: the longest address, plus punctuation glued to it
# ("(jo@example.com)," or "mail:jo@example.com"). A longer token holds no address a person typed.
MAX_EMAIL_TOKEN = EMAIL_MAX_LENGTH + 32


def is_valid_email(value: str) -> bool:
    value = (value or "").strip()
    return len(value) <= EMAIL_MAX_LENGTH and EMAIL_PATTERN.fullmatch(value) is not None


def extract_email(text: str) -> Optional[str]:
    """The one e-mail address in a message ("sorry: jo@example.com" → jo@example.com), else None.

    The pattern runs on each whitespace-separated token holding an "@" and no longer than
    MAX_EMAIL_TOKEN (an address holds no whitespace), never on the whole message: bounded work per token."""
    found = {match.group(1) for token in (text or "").split() if "@" in token and len(token) <= MAX_EMAIL_TOKEN
             for match in EMAIL_PATTERN.finditer(token)}
    if len(found) != 1:
        return None
    email = found.pop()
    return email if is_valid_email(email) else None


def normalize_email(value: str) -> str:
    """Trimmed, with the domain lower-cased (domains are case-insensitive; local parts may not be)."""
    local, _, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_name(value: str) -> Optional[str]:
    """The name as given, trimmed; None when empty, too long or holding control characters."""
    name = (value or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        return None
    if any(unicodedata.category(char) == "Cc" for char in name):
        return None  # a newline or terminal escape in a name is never intended
    return name
