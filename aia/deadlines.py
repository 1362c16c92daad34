"""Stage deadlines in UK working days (England and Wales bank holidays), and the clocks shown
wherever a case is shown.

A deadline is a date: the last working day on which the stage is on time. Times are converted
to dates in London, so a stage started at 23:30 UTC on a summer evening starts the next day.
"""

import datetime
from dataclasses import dataclass
from functools import cache

import holidays
from django.conf import settings
from django.utils import timezone

from aia.models.choices import CaseState, Track

# Working days allowed for each stage, by track (overridable with settings.AIA_STAGE_TARGETS).
# The expedited track is for ongoing atrocities and ICJ provisional measures.
DEFAULT_STAGE_TARGETS = {
    Track.STANDARD: {
        CaseState.TRIGGERED: 5,
        CaseState.SCOPING: 10,
        CaseState.ASSESSMENT: 20,
        CaseState.LEGAL_REVIEW: 10,
        CaseState.OPTIONS: 15,
        CaseState.OPTIONS_REVIEW: 10,
        CaseState.SIGN_OFF: 5,
        CaseState.SIGNED_OFF: 3,
        CaseState.WITH_MINISTER: 10,
    },
    Track.EXPEDITED: {
        CaseState.TRIGGERED: 1,
        CaseState.SCOPING: 2,
        CaseState.ASSESSMENT: 5,
        CaseState.LEGAL_REVIEW: 2,
        CaseState.OPTIONS: 3,
        CaseState.OPTIONS_REVIEW: 2,
        CaseState.SIGN_OFF: 1,
        CaseState.SIGNED_OFF: 1,
        CaseState.WITH_MINISTER: 3,
    },
}


@cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """Return the date ``days`` working days after ``start``.

    Work started on a weekend or bank holiday counts from the next working day, so the
    deadline always lands on a working day.
    """
    day = start
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Return the working days after ``start`` up to and including ``end`` (negative if
    ``end`` is earlier).

    Counted, not walked (a case overdue for years is shown in lists too): five weekdays in
    each whole week, the weekdays among the few days left over, less the bank holidays that
    fall on a weekday in between.
    """
    if end < start:
        return -working_days_between(end, start)
    weeks, rest = divmod((end - start).days, 7)
    weekdays = weeks * 5 + sum(1 for n in range(1, rest + 1) if (start.weekday() + n) % 7 < 5)
    holidays_off = sum(
        1
        for year in range(start.year, end.year + 1)
        for day in _bank_holidays(year)
        if start < day <= end and day.weekday() < 5
    )
    return weekdays - holidays_off


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def stage_target(state: str, track: str) -> int | None:
    targets = getattr(settings, "AIA_STAGE_TARGETS", None) or DEFAULT_STAGE_TARGETS
    return targets.get(track, {}).get(state)


def stage_deadline(state: str, track: str, started_at: datetime.datetime) -> datetime.date | None:
    """Return the deadline of a stage started at ``started_at``, or ``None`` for stages that
    have none (monitoring and the finished states)."""
    target = stage_target(state, track)
    if target is None:
        return None
    return add_working_days(local_date(started_at), target)


def decision_needed_by(track: str, signed_off_at: datetime.datetime) -> datetime.date | None:
    """Return the day the minister's decision is needed on a case signed off at
    ``signed_off_at``: the signed report's days to reach the minister, then the minister's.

    The two stage targets run back to back, as the deadlines would if each stage took its
    full time; the submission states it as the date a decision is needed.
    """
    to_minister = stage_deadline(CaseState.SIGNED_OFF, track, signed_off_at)
    with_minister = stage_target(CaseState.WITH_MINISTER, track)
    if to_minister is None or with_minister is None:
        return None
    return add_working_days(to_minister, with_minister)


@dataclass(frozen=True)
class Clock:
    """What a user sees about time on a case."""

    deadline: datetime.date | None
    working_days_left: int | None
    overdue: bool
    days_since_knowledge_date: int


def case_clock(case, today: datetime.date | None = None) -> Clock:
    today = today or timezone.localdate()
    deadline = case.stage_deadline
    left = working_days_between(today, deadline) if deadline else None
    return Clock(
        deadline=deadline,
        working_days_left=left,
        overdue=bool(deadline and today > deadline),
        days_since_knowledge_date=(today - case.knowledge_date).days,
    )
