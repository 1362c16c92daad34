"""Stage deadlines in UK working days: weekends, bank holidays, the turn of the year, BST."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from aia.deadlines import (
    add_working_days,
    case_clock,
    is_working_day,
    stage_deadline,
    working_days_between,
)

pytestmark = pytest.mark.smoke

D = datetime.date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 11, 16), 5, D(2026, 11, 23)),  # Monday + 5 → next Monday
        (D(2026, 11, 20), 1, D(2026, 11, 23)),  # Friday + 1 → Monday
        (D(2026, 11, 21), 1, D(2026, 11, 24)),  # Saturday counts from Monday
        (D(2026, 11, 22), 0, D(2026, 11, 23)),  # a weekend start lands on a working day
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (D(2026, 4, 2), 1, D(2026, 4, 7)),
        (D(2026, 4, 3), 1, D(2026, 4, 8)),
        # Christmas 2026: 25th Friday, Boxing Day Saturday, observed Monday 28th.
        (D(2026, 12, 24), 1, D(2026, 12, 29)),
        # The turn of the year: 29 to 31 Dec working, 1 Jan 2027 a bank holiday.
        (D(2026, 12, 30), 2, D(2027, 1, 4)),
        (D(2026, 12, 31), 1, D(2027, 1, 4)),
        # 2027: Christmas Saturday, Boxing Day Sunday, observed Monday 27 and Tuesday 28.
        (D(2027, 12, 24), 1, D(2027, 12, 29)),
        # Early May and spring bank holidays.
        (D(2026, 5, 1), 1, D(2026, 5, 5)),
        (D(2026, 5, 22), 1, D(2026, 5, 26)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected
    assert is_working_day(expected)


def test_bank_holidays_are_those_of_england_and_wales():
    assert not is_working_day(D(2026, 8, 31))  # summer bank holiday (England and Wales)
    assert is_working_day(D(2026, 8, 3))  # summer bank holiday in Scotland only
    assert is_working_day(D(2026, 3, 17))  # St Patrick's Day, Northern Ireland only


def test_working_days_between_counts_both_ways():
    assert working_days_between(D(2026, 11, 20), D(2026, 11, 23)) == 1
    assert working_days_between(D(2026, 11, 23), D(2026, 11, 20)) == -1
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 29)) == 1
    assert working_days_between(D(2026, 11, 23), D(2026, 11, 23)) == 0


def _walked(start: datetime.date, end: datetime.date) -> int:
    """The working days after ``start`` up to ``end``, one day at a time (the definition)."""
    if end < start:
        return -_walked(end, start)
    days = (start + datetime.timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sum(1 for day in days if is_working_day(day))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    start=st.dates(D(2015, 1, 1), D(2035, 12, 31)),
    end=st.dates(D(2015, 1, 1), D(2035, 12, 31)),
)
def test_working_days_between_counts_what_walking_the_days_counts(start, end):
    assert working_days_between(start, end) == _walked(start, end)


def test_working_days_between_at_the_edges_of_weeks_and_holidays():
    # Every start and end within a year around Christmas 2026 and Easter 2027.
    days = [D(2026, 12, 10) + datetime.timedelta(days=n) for n in range(130)]
    for start in days[::3]:
        for end in days:
            assert working_days_between(start, end) == _walked(start, end), (start, end)


def _utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def test_stage_start_is_taken_in_london_time_across_daylight_saving():
    # Expedited scoping has 2 working days.
    # 23:30 UTC on Friday 27 March 2026 is still Friday in London (GMT): → Tuesday 31 March.
    assert stage_deadline("scoping", "expedited", _utc(2026, 3, 27, 23, 30)) == D(2026, 3, 31)
    # BST began on Sunday 29 March 2026. 23:30 UTC on Friday 17 April is 00:30 Saturday in
    # London, so work counts from Monday 20 April.
    assert stage_deadline("scoping", "expedited", _utc(2026, 4, 17, 23, 30)) == D(2026, 4, 22)
    assert stage_deadline("scoping", "expedited", _utc(2026, 4, 17, 22, 30)) == D(2026, 4, 21)
    # BST ended on Sunday 25 October 2026: 23:30 UTC on Friday 30 October is Friday in London.
    assert stage_deadline("scoping", "expedited", _utc(2026, 10, 30, 23, 30)) == D(2026, 11, 3)


def test_expedited_track_has_shorter_targets():
    start = _utc(2026, 11, 16, 9)
    assert stage_deadline("assessment", "expedited", start) < stage_deadline(
        "assessment", "standard", start
    )


def test_finished_and_monitoring_stages_have_no_deadline():
    start = timezone.now()
    for state in ("monitoring", "closed", "withdrawn"):
        assert stage_deadline(state, "standard", start) is None


class _Case:
    def __init__(self, deadline, knowledge_date):
        self.stage_deadline = deadline
        self.knowledge_date = knowledge_date


def test_case_clock_shows_days_left_overdue_and_the_knowledge_date_clock():
    clock = case_clock(_Case(D(2026, 11, 27), D(2026, 11, 1)), today=D(2026, 11, 23))
    assert (clock.working_days_left, clock.overdue, clock.days_since_knowledge_date) == (
        4,
        False,
        22,
    )
    clock = case_clock(_Case(D(2026, 11, 20), D(2026, 11, 1)), today=D(2026, 11, 23))
    assert (clock.working_days_left, clock.overdue) == (-1, True)
