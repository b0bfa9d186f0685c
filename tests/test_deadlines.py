"""Due dates: calendar months done right, the organisation's own delay from its knowledge file."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from knowledge.loading import knowledge_base
from knowledge.model import ResponseDelay, Source
from knowledge import deadlines
from knowledge.deadlines import add_months

UTC = timezone.utc


def at(year, month, day, hour=10):
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@pytest.mark.parametrize("start, months, expected", [
    (at(2023, 1, 31), 1, at(2023, 2, 28)),
    (at(2024, 1, 31), 1, at(2024, 2, 29)),   # leap year
    (at(2024, 3, 31), 1, at(2024, 4, 30)),
    (at(2024, 1, 15), 1, at(2024, 2, 15)),
    (at(2023, 12, 31), 2, at(2024, 2, 29)),  # across the year, into a leap February
    (at(2023, 11, 30), 2, at(2024, 1, 30)),
    (at(2024, 12, 15), 1, at(2025, 1, 15)),
    (at(2024, 2, 29), 12, at(2025, 2, 28)),
])
def test_calendar_months_end_on_the_same_day_or_the_last_day_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_each_organisation_gets_the_delay_its_policy_states_else_one_month():
    kb = knowledge_base()
    delays = {slug: deadlines.response_delay(org) for slug, org in kb.organizations.items()}
    assert (delays["activpartners"].months, delays["activpartners"].days) == (1, 0)
    assert (delays["cesi"].months, delays["cesi"].days) == (0, 30)
    assert (delays["acta"].months, delays["acta"].days) == (2, 0)
    assert delays["activpartners"].stated_by_policy and delays["cesi"].stated_by_policy
    for silent in ("akteos", "cartesia"):
        assert delays[silent] == deadlines.GDPR_DEFAULT_DELAY and not delays[silent].stated_by_policy


def test_the_delay_is_read_from_the_knowledge_data_not_hard_coded():
    kb = knowledge_base()
    forty_five_days = ResponseDelay(months=0, days=45, source=Source(section="s", quote="q"))
    changed = dataclasses.replace(kb.organization("akteos"), response_delay=forty_five_days)
    assert deadlines.due_date(changed, at(2024, 1, 1)) == at(2024, 2, 15)
    assert deadlines.due_date(kb.organization("akteos"), at(2024, 1, 1)) == at(2024, 2, 1)


def test_a_pause_moves_the_due_date_by_its_length_and_a_running_pause_keeps_moving_it():
    due = at(2024, 3, 1)
    assert deadlines.resumed_due_date(due, at(2024, 2, 1), at(2024, 2, 8)) == due + timedelta(days=7)
    assert deadlines.effective_due_date(due, at(2024, 2, 1), now=at(2024, 2, 11)) == due + timedelta(days=10)
    assert deadlines.effective_due_date(due, None, now=at(2024, 2, 11)) == due


def test_an_extension_adds_two_calendar_months():
    assert deadlines.extended_due_date(at(2023, 12, 31)) == at(2024, 2, 29)
