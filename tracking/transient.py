"""Riding out a database that is briefly unreachable: a PostgreSQL restart, a failover, a dropped connection.

Only for work that is safe to repeat, such as a submission with an idempotency key
(tracking/service.py: a repeated key files nothing new). A few attempts a few seconds apart, each in
a worker thread so that the caller's event loop serves other conversations meanwhile; the engine's
`pool_pre_ping` (tracking/config.py) replaces the pooled connections the restart killed. Past the last
attempt, `DatabaseUnavailable`: the caller tells the person and lets them try again.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Callable, Optional, Sequence, TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Seconds to wait before the 2nd, 3rd and 4th attempts: about 3.5 s in all, short enough for a person
# waiting for a reply, long enough for a fast restart (`pg_ctl restart -m fast`) or a dropped connection.
RETRY_DELAYS: Sequence[float] = (0.5, 1.0, 2.0)


class DatabaseUnavailable(Exception):
    """The database could not be reached in any attempt."""


def is_transient(error: BaseException) -> bool:
    """Whether an error says the database could not be reached (refused, shutting down, connection lost,
    SQLite busy) rather than that the work itself is wrong."""
    return isinstance(error, (OperationalError, InterfaceError)) or \
        (isinstance(error, DBAPIError) and error.connection_invalidated)


async def retried(call: Callable[[], T], delays: Optional[Sequence[float]] = None) -> T:
    """`call()` in a worker thread, attempted again after each delay while the database is unreachable;
    DatabaseUnavailable after the last attempt. Any other error is raised at once. `delays`: RETRY_DELAYS."""
    delays = RETRY_DELAYS if delays is None else delays
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return await asyncio.to_thread(call)
        except Exception as error:  # noqa: BLE001 — sorted below; only the type is logged (no values)
            if not is_transient(error):
                raise
            if delay is None:
                raise DatabaseUnavailable(f"unreachable after {attempt} attempts: {type(error).__name__}") from error
            logger.warning("Database unreachable (attempt %d, %s); trying again in %.1f s", attempt,
                           type(error).__name__, delay)
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")
