"""The report counts days from the knowledge date as the calendar does.

A case is walked through the real services on known days (the clock set for each step), and
every day count in its snapshot and its signed PDF is compared with one computed here from the
dates alone (docs/architecture.md, *Integrity rules*, "Knowledge date"), never with the
application's own arithmetic.
"""

import datetime
from contextlib import nullcontext

import pytest
import time_machine

from aia.models import Report
from aia.models.choices import CaseState, ReportStatus
from aia.services import cases as s
from aia.services.assessment import section_update
from tests.factories import (
    Team,
    committing,
    new_case,
    walk,
)
from tests.reports.pdf import read_pages, table_rows

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# The first trigger is received on 20 September 2024; a second, received later, reports an
# earlier finding and moves the knowledge date back to it. (The days are after the sources'
# date in the factories' content, which may not be in the future.)
FIRST_FINDING = datetime.date(2024, 9, 19)
EARLIER_FINDING = datetime.date(2024, 9, 10)
KNOWLEDGE_DATE = EARLIER_FINDING
# (the state a step reaches, when it is taken). The assessment is returned once, so it is
# submitted twice: the chronology shows the latest. Sign-off is at 23:30 UTC on 21 October,
# which is already 22 October in London (British Summer Time ends on 27 October).
STEPS = [
    (CaseState.SCOPING, at(2024, 9, 24, 12)),
    (CaseState.ASSESSMENT, at(2024, 9, 27, 12)),
    (CaseState.LEGAL_REVIEW, at(2024, 10, 1, 12)),
]
RETURNED = at(2024, 10, 3, 12)
RESUBMITTED = at(2024, 10, 4, 12)
LATER_STEPS = [
    (CaseState.OPTIONS, at(2024, 10, 7, 12)),
    (CaseState.OPTIONS_REVIEW, at(2024, 10, 10, 12)),
    (CaseState.SIGN_OFF, at(2024, 10, 14, 12)),
    (CaseState.SIGNED_OFF, at(2024, 10, 21, 23, 30)),
]
# The London day of each milestone, written out by hand.
MILESTONE_DAYS = [
    ("Team assigned", datetime.date(2024, 9, 24)),
    ("Assessment started", datetime.date(2024, 9, 27)),
    ("Assessment submitted for legal review", datetime.date(2024, 10, 4)),
    ("Assessment approved by the legal adviser", datetime.date(2024, 10, 7)),
    ("Options submitted for legal review", datetime.date(2024, 10, 10)),
    ("Options approved by the legal adviser", datetime.date(2024, 10, 14)),
    ("Signed off by the SRO", datetime.date(2024, 10, 22)),
]
SIGNED_OFF_ON = datetime.date(2024, 10, 22)


def days_after_knowledge_date(day: datetime.date) -> int:
    """Count the days from the knowledge date to ``day``: 0 on the day itself."""
    return (day - KNOWLEDGE_DATE).days


def signed_off_on_known_days(team: Team, *, render: bool) -> Report:
    """Walk a case to sign-off on the days above and return its report, rendered if asked
    (the full report takes seconds to render; its snapshot is frozen at sign-off either way).
    """
    situation = {"country_code": "SD", "name": "Day-count situation"}
    with time_machine.travel(at(2024, 9, 20, 12), tick=False):
        case = new_case(
            team, finding_date=FIRST_FINDING.isoformat(), situation=situation, reference="R-1"
        )
    with time_machine.travel(at(2024, 9, 23, 12), tick=False):
        new_case(
            team, finding_date=EARLIER_FINDING.isoformat(), situation=situation, reference="R-2"
        )
    case.refresh_from_db()
    assert case.knowledge_date == KNOWLEDGE_DATE

    for state, when in STEPS:
        with time_machine.travel(when, tick=False):
            case = walk(case, team, state)
    with time_machine.travel(RETURNED, tick=False):
        case = s.case_return_assessment(case=case, actor=team.legal, comment="Say more.")
        section_update(case=case, actor=team.official, code="rf1", data={"analysis": "More."})
    with time_machine.travel(RESUBMITTED, tick=False):
        case = s.case_submit_assessment(case=case, actor=team.lead)
    for state, when in LATER_STEPS[:-1]:
        with time_machine.travel(when, tick=False):
            case = walk(case, team, state)
    state, when = LATER_STEPS[-1]
    with time_machine.travel(when, tick=False), committing() if render else nullcontext():
        case = walk(case, team, state)
    return case.reports.get()


def test_the_hand_written_days_are_the_calendars():
    # 20 days of September remain after the 10th, so 1 October is day 21.
    assert days_after_knowledge_date(KNOWLEDGE_DATE) == 0
    assert days_after_knowledge_date(datetime.date(2024, 10, 1)) == 21
    assert days_after_knowledge_date(SIGNED_OFF_ON) == 20 + 22


def test_the_snapshot_counts_days_from_the_knowledge_date(team):
    snapshot = signed_off_on_known_days(team, render=False).snapshot

    assert snapshot["case"]["knowledge_date"] == "2024-09-10"
    assert snapshot["case"]["days_since_knowledge_date"] == days_after_knowledge_date(SIGNED_OFF_ON)
    assert [(t["finding_date"], t["days_after_knowledge_date"]) for t in snapshot["triggers"]] == [
        ("2024-09-10", 0),
        ("2024-09-19", days_after_knowledge_date(FIRST_FINDING)),
    ]
    assert snapshot["chronology"] == [
        {
            "label": "Knowledge date (earliest qualifying trigger)",
            "date": "2024-09-10",
            "days": 0,
        },
        *(
            {"label": label, "date": day.isoformat(), "days": days_after_knowledge_date(day)}
            for label, day in MILESTONE_DAYS
        ),
    ]


def test_the_signed_pdf_prints_the_same_day_counts(team):
    report = signed_off_on_known_days(team, render=True)
    assert report.status == ReportStatus.READY, report.failure_reason
    tables: list = []
    with report.pdf.open("rb") as handle:
        read_pages(handle.read(), tables=tables)

    def printed(day: datetime.date) -> str:
        return f"{day.day} {day:%B %Y}"

    assert table_rows(tables, "Milestone") == [
        ["Knowledge date (earliest qualifying trigger)", "10 September 2024", "0"],
        *(
            [label, printed(day), str(days_after_knowledge_date(day))]
            for label, day in MILESTONE_DAYS
        ),
    ]
    finding_dates = [row[0] for row in table_rows(tables, "Finding date")]
    assert finding_dates == [
        "10 Sep 2024 day 0",
        f"19 Sep 2024 day {days_after_knowledge_date(FIRST_FINDING)}",
    ]
