"""Request references people read out and type back: `RR-7K3F-2QXD`.

Random (from `secrets`, never from the row id or the time), so knowing one reference tells nothing
about another; 30 symbols without the look-alikes I/L/O/U/0/1, 8 of them: 30**8 ≈ 6.6e11 values.
A lookup also needs the e-mail given at filing, so a reference alone discloses nothing.
"""
from __future__ import annotations

import re
import secrets
from typing import Optional

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "RR"
GROUPS = 2
GROUP_LENGTH = 4
REFERENCE_PATTERN = re.compile(
    rf"\b{PREFIX}[\s-]?([{ALPHABET}]{{{GROUP_LENGTH}}})[\s-]?([{ALPHABET}]{{{GROUP_LENGTH}}})\b", re.IGNORECASE)


def new_reference() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join((PREFIX, *groups))


def find_reference(text: str) -> Optional[str]:
    """The first reference in a message, in canonical form ("my request rr 7k3f2qxd?" → RR-7K3F-2QXD)."""
    match = REFERENCE_PATTERN.search(text or "")
    if not match:
        return None
    return "-".join((PREFIX, *(group.upper() for group in match.groups())))
