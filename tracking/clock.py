"""The one clock of the tracking layer: timezone-aware UTC (never naive `utcnow()`)."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
