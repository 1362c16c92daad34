"""Reminders before, at and after a deadline; escalation; the daily digest. Each once."""

import datetime

import pytest
import time_machine
from django.core import mail

from aia.models import CaseEvent, Notification
from aia.models.choices import CaseState, EventType
from aia.services.reminders import daily_digest_send, deadline_reminders_send
from tests.factories import case_in_state, committing

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment_case(team):
    # Monday 16 November 2026, 10:00 London: the standard assessment target is 20 working days.
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, tzinfo=datetime.UTC), tick=False):
        case = case_in_state(team, CaseState.ASSESSMENT)
    assert case.stage_deadline == datetime.date(2026, 12, 14)
    Notification.objects.all().delete()
    mail.outbox.clear()
    return case


def _run(day: datetime.date) -> int:
    with committing():
        return deadline_reminders_send(today=day)


def test_no_reminder_while_the_deadline_is_far_off(assessment_case):
    assert _run(datetime.date(2026, 12, 1)) == 0
    assert not Notification.objects.exists()


def test_reminders_before_at_and_after_the_deadline_are_each_sent_once(assessment_case, team):
    case = assessment_case
    # Two working days before: Thursday 10 December.
    assert _run(datetime.date(2026, 12, 10)) == 1
    assert _run(datetime.date(2026, 12, 10)) == 0
    assert _run(datetime.date(2026, 12, 11)) == 0  # still "due soon": already sent
    assert _run(datetime.date(2026, 12, 14)) == 1  # due today
    assert _run(datetime.date(2026, 12, 15)) == 1  # overdue, escalated
    assert _run(datetime.date(2026, 12, 16)) == 0

    reminders = Notification.objects.filter(kind="reminder")
    assert {n.user.username for n in reminders} == {"lead", "official"}
    assert reminders.count() == 6  # three thresholds, two officials each
    escalation = Notification.objects.get(kind="escalation")
    assert escalation.user == team.sro
    assert "overdue" in escalation.subject
    events = CaseEvent.objects.filter(case=case, type=EventType.REMINDER_SENT)
    assert [e.details["threshold"] for e in events] == ["due_soon", "due_today", "overdue"]
    assert CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).count() == 1
    assert all(m.to[0].split("@")[0] in {"lead", "official", "sro"} for m in mail.outbox)


def test_a_new_stage_gets_its_own_reminders(assessment_case, team):
    from aia.services import cases as s
    from tests.factories import fill_assessment

    assert _run(datetime.date(2026, 12, 15)) == 1
    with time_machine.travel(datetime.datetime(2026, 12, 16, 10, tzinfo=datetime.UTC), tick=False):
        fill_assessment(assessment_case, team.official)
        s.case_submit_assessment(case=assessment_case, actor=team.lead)
    assessment_case.refresh_from_db()
    deadline = assessment_case.stage_deadline
    assert _run(deadline + datetime.timedelta(days=1)) == 1
    assert Notification.objects.filter(kind="reminder", user=team.legal).count() == 1


def test_daily_digest_lists_the_cases_waiting_on_each_user_once_a_day(assessment_case, team):
    day = datetime.date(2026, 12, 1)
    with committing():
        sent = daily_digest_send(today=day)
    assert sent == 2  # the lead and the official
    digest = Notification.objects.get(user=team.lead, kind="digest")
    assert assessment_case.reference in digest.body
    with committing():
        assert daily_digest_send(today=day) == 0
    team.official.daily_digest = False
    team.official.save()
    with committing():
        assert daily_digest_send(today=day + datetime.timedelta(days=1)) == 1
