"""A task that fails is tried again from its outbox row, never from a countdown in the broker.

The row records the failure and the time of the next attempt (30 s, then twice as long each
time, at most an hour); the sweeper sends it when that time comes. After the task's last
attempt the row is completed with the error and, for a report, the report is marked failed.
In-process (eager) runs fail at once, as nothing would send them again.
"""

import datetime
import re
import smtplib
import uuid
from pathlib import Path
from unittest import mock

import pytest
from celery.exceptions import Ignore
from django.core import mail
from django.db import transaction
from django.utils import timezone

from aia.models import Notification, OutboxTask
from aia.models.choices import CaseState, EventType, ReportStatus
from aia.services import cases as case_services
from aia.services.notifications import EMAIL_TASK, notify
from aia.services.outbox import (
    outbox_attempt_failed,
    outbox_dispatch,
    outbox_retry_delay,
    outbox_sweep,
)
from aia.tasks import (
    NOTIFICATION_EMAIL_ATTEMPTS,
    REPORT_RENDER_ATTEMPTS,
    notification_email,
    report_render,
)
from tests.factories import PASSWORD, UserFactory, case_in_state

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SMTP_DOWN = smtplib.SMTPConnectError(421, b"Service not available")


def _run_in_worker(task, row: OutboxTask):
    """Run ``task`` for ``row`` as a worker does: not eagerly, with the row's ID as task ID."""
    task.push_request(id=str(row.pk), is_eager=False, retries=0)
    try:
        return task.run(**row.kwargs)
    finally:
        task.pop_request()


def _email_row() -> OutboxTask:
    """Record a notification for a new user, with its email owed (not yet dispatched)."""
    user = UserFactory()
    with transaction.atomic():
        notify(case=None, users=[user], kind="reminder", key="test", subject="Hello", body="Hi")
    return OutboxTask.objects.get(task=EMAIL_TASK)


def _smtp_down():
    return mock.patch(
        "aia.services.notifications.EmailMultiAlternatives.send", side_effect=SMTP_DOWN
    )


def test_no_task_is_retried_by_celery():
    # A retry with a countdown (or an ETA) is a message a worker holds, unacknowledged, until it
    # is due: a Redis restart meanwhile ended the worker for good (issue 20).
    retries = re.compile(r"\bcountdown\s*=|\beta\s*=|\.retry\(|autoretry_for|retry_backoff")
    for path in sorted((ROOT / "aia").rglob("*.py")):
        assert not retries.search(path.read_text(encoding="utf-8")), path


def test_the_wait_doubles_from_30_seconds_to_at_most_an_hour():
    waits = [outbox_retry_delay(failed_attempts=n).total_seconds() for n in range(1, 11)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_a_failed_email_waits_on_its_row_and_the_worker_lets_the_message_go():
    row = _email_row()
    before = timezone.now()

    with _smtp_down(), pytest.raises(Ignore):
        _run_in_worker(notification_email, row)

    row.refresh_from_db()
    assert row.failed_attempts == 1
    assert row.completed_at is None
    assert row.dispatched_at is None
    assert "SMTPConnectError" in row.last_error
    assert before + datetime.timedelta(seconds=30) <= row.next_attempt_at
    assert row.next_attempt_at <= timezone.now() + datetime.timedelta(seconds=30)
    assert not Notification.objects.get().emailed_at
    assert mail.outbox == []


def test_the_sweeper_sends_a_failed_row_again_only_once_it_is_due():
    row = _email_row()
    with _smtp_down(), pytest.raises(Ignore):
        _run_in_worker(notification_email, row)
    row.refresh_from_db()

    with mock.patch.object(notification_email, "apply_async") as apply_async:
        assert outbox_sweep(now=row.next_attempt_at - datetime.timedelta(seconds=1)) == 0
        apply_async.assert_not_called()
        assert outbox_sweep(now=row.next_attempt_at) == 1
    apply_async.assert_called_once_with(kwargs=row.kwargs, task_id=str(row.pk))

    # The mail server is back: the next attempt sends the email, once.
    assert _run_in_worker(notification_email, row) is True
    assert len(mail.outbox) == 1
    assert Notification.objects.get().emailed_at


def test_an_email_that_keeps_failing_ends_after_its_last_attempt_with_the_error():
    row = _email_row()
    with _smtp_down():
        for attempt in range(1, NOTIFICATION_EMAIL_ATTEMPTS):
            with pytest.raises(Ignore):
                _run_in_worker(notification_email, row)
            assert OutboxTask.objects.get(pk=row.pk).failed_attempts == attempt
        with pytest.raises(smtplib.SMTPConnectError):
            _run_in_worker(notification_email, row)

    row.refresh_from_db()
    assert row.failed_attempts == NOTIFICATION_EMAIL_ATTEMPTS
    assert row.completed_at is not None
    assert row.next_attempt_at is None
    assert "SMTPConnectError" in row.last_error
    with mock.patch.object(notification_email, "apply_async") as apply_async:
        assert outbox_sweep(now=timezone.now() + datetime.timedelta(days=1)) == 0
    apply_async.assert_not_called()


def test_a_report_that_keeps_failing_is_marked_failed_after_its_last_attempt(team):
    case = case_in_state(team, CaseState.SIGN_OFF)
    # Signed off inside the test's transaction: the render is recorded, not yet dispatched.
    case_services.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    report = case.reports.get()
    row = OutboxTask.objects.get(task="aia.tasks.report_render")

    with mock.patch("aia.reports.rendering.render_pdf", side_effect=RuntimeError("no fonts")):
        for _ in range(REPORT_RENDER_ATTEMPTS - 1):
            with pytest.raises(Ignore):
                _run_in_worker(report_render, row)
            report.refresh_from_db()
            assert report.status == ReportStatus.RENDERING
            assert not Notification.objects.filter(kind="report_failed").exists()
        with pytest.raises(RuntimeError):
            _run_in_worker(report_render, row)

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.failure_reason == "RuntimeError: no fonts"
    assert report.attempts == REPORT_RENDER_ATTEMPTS
    assert case.events.filter(type=EventType.REPORT_FAILED).count() == 1
    assert Notification.objects.filter(kind="report_failed", user=team.sro).exists()
    row.refresh_from_db()
    assert row.completed_at is not None
    assert row.failed_attempts == REPORT_RENDER_ATTEMPTS


def test_a_report_that_renders_on_a_later_attempt_is_ready(team):
    case = case_in_state(team, CaseState.SIGN_OFF)
    case_services.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    row = OutboxTask.objects.get(task="aia.tasks.report_render")

    with (
        mock.patch("aia.reports.rendering.render_pdf", side_effect=RuntimeError("busy")),
        pytest.raises(Ignore),
    ):
        _run_in_worker(report_render, row)
    assert _run_in_worker(report_render, row) == ReportStatus.READY
    assert case.reports.get().status == ReportStatus.READY


def test_in_process_a_failed_email_fails_at_once_and_is_not_sent_again():
    # Eager mode (``make run``, the tests): nothing would send the row again, so no retry.
    row = _email_row()
    with _smtp_down():
        assert outbox_dispatch(outbox_id=row.pk) is True

    row.refresh_from_db()
    assert row.completed_at is not None
    assert "SMTPConnectError" in row.last_error
    assert row.next_attempt_at is None
    assert outbox_sweep(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_a_task_sent_without_an_outbox_row_fails_for_good():
    notification_id = _email_row().kwargs["notification_id"]
    notification_email.push_request(id=str(uuid.uuid4()), is_eager=False)
    try:
        with _smtp_down(), pytest.raises(smtplib.SMTPConnectError):
            notification_email.run(notification_id=notification_id)
    finally:
        notification_email.pop_request()


def test_a_failure_after_the_row_was_completed_changes_nothing():
    row = _email_row()
    OutboxTask.objects.filter(pk=row.pk).update(completed_at=timezone.now())

    assert outbox_attempt_failed(outbox_id=row.pk, error="late", max_attempts=5) is None

    row.refresh_from_db()
    assert row.failed_attempts == 0
    assert row.last_error == ""
