"""Personal data that masks itself wherever it is formatted, so it never reaches a log in clear.

    logger.info("Request %s filed for %s", reference, PII(email))   # → "... for j***@e***.com"

`PII` deliberately is not a `str` subclass: concatenating it or passing it where text is expected
fails loudly instead of leaking; `.reveal()` is the one explicit way to the clear value.
"""
from __future__ import annotations

MASK = "***"


def mask_email(value: str) -> str:
    """jane.doe@example.com → j***@e***.com (first letters and the top-level domain only)."""
    local, at, domain = (value or "").strip().rpartition("@")
    if not at:
        return mask_name(value)
    host, dot, tld = domain.rpartition(".")
    masked_domain = f"{host[:1]}{MASK}{dot}{tld}" if dot else f"{domain[:1]}{MASK}"
    return f"{local[:1]}{MASK}@{masked_domain}"


def mask_name(value: str) -> str:
    """Jane van Doe → J*** v*** D***."""
    words = (value or "").split()
    return " ".join(f"{word[:1]}{MASK}" for word in words) or MASK


def mask_text(value: str) -> str:
    """Free text (a description) may hold anything: only its length is shown."""
    return f"<{len(value or '')} characters>"


class PII:
    """A piece of personal data: an e-mail, a name, or free text (`kind` "email", "name", "text")."""

    __slots__ = ("_value", "_kind")

    def __init__(self, value: object, kind: str = "auto") -> None:
        self._value = "" if value is None else str(value)
        if kind == "auto":
            kind = "email" if "@" in self._value else "name"
        if kind not in ("email", "name", "text"):
            raise ValueError(f"unknown kind of personal data: {kind!r}")
        self._kind = kind

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        if self._kind == "email":
            return mask_email(self._value)
        if self._kind == "text":
            return mask_text(self._value)
        return mask_name(self._value)

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"PII({self.masked()!r})"

    def __format__(self, format_spec: str) -> str:
        return format(self.masked(), format_spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PII) and other._value == self._value and other._kind == self._kind

    def __hash__(self) -> int:
        return hash((self._value, self._kind))
