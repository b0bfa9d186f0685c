"""When an organisation must answer a rights request.

The delay is the organisation's own, as its policy states it (`response_delay` in its knowledge
file: months and/or days); when the policy is silent, one month (GDPR art. 12(3)). Months are
calendar months: a period ends on the same day of the month, or on the month's last day when that
day does not exist (31 January + 1 month = 28/29 February). Computed in UTC.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from knowledge.model import Organization

EXTENSION_MONTHS = 2  # GDPR art. 12(3): "extended by two further months where necessary"


@dataclass(frozen=True)
class Delay:
    months: int
    days: int
    stated_by_policy: bool

    def after(self, moment: datetime) -> datetime:
        return add_months(moment, self.months) + timedelta(days=self.days)


GDPR_DEFAULT_DELAY = Delay(months=1, days=0, stated_by_policy=False)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` calendar months later, clamped to the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def response_delay(organization: Optional[Organization]) -> Delay:
    stated = organization.response_delay if organization is not None else None
    if stated is None or (stated.months == 0 and stated.days == 0):
        return GDPR_DEFAULT_DELAY
    return Delay(months=stated.months, days=stated.days, stated_by_policy=True)


def due_date(organization: Optional[Organization], received_at: datetime) -> datetime:
    return response_delay(organization).after(received_at)


def resumed_due_date(due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """While the organisation waits for proof of identity the clock stops: the due date moves by the pause."""
    return due_at + max(resumed_at - paused_at, timedelta(0))


def extended_due_date(due_at: datetime) -> datetime:
    return add_months(due_at, EXTENSION_MONTHS)


def effective_due_date(due_at: datetime, paused_at: Optional[datetime], now: datetime) -> datetime:
    """The due date as it stands now: a paused request's deadline keeps moving until it resumes."""
    return resumed_due_date(due_at, paused_at, now) if paused_at is not None else due_at
