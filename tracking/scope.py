"""Who is asking for requests, and which organisations' requests they may see.

Every staff-facing function of the request service takes a `Caller`: its scope filters every query
(a request outside it is not found), its actor names who did it in the audit log. The staff console
passes the signed-in member's; the command line, the operator's tool on the server, passes
`operator(...)`, which sees everything.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Iterable, Optional


@dataclass(frozen=True)
class Scope:
    """The organisations (slugs) whose requests may be seen; `organizations=None` means all of them."""

    organizations: Optional[FrozenSet[str]]

    @classmethod
    def of(cls, organizations: Iterable[str]) -> "Scope":
        return cls(frozenset(organizations))

    @property
    def is_everything(self) -> bool:
        return self.organizations is None

    def allows(self, organization: Optional[str]) -> bool:
        return self.organizations is None or organization in self.organizations


EVERYTHING = Scope(None)


@dataclass(frozen=True)
class Caller:
    """A staff member or operator: `actor` is recorded in the audit log, `scope` bounds what they see."""

    actor: str
    scope: Scope


def operator(login: str) -> Caller:
    """The command line's caller: full access, recorded as `cli:<login>`."""
    return Caller(actor=f"cli:{login}", scope=EVERYTHING)
