"""The real stack: PostgreSQL, Redis, a Celery worker and beat in their own processes.

Nothing is lost when parts fail: work is recorded in the outbox with the change that caused
it, and every task is safe to run twice. They need PostgreSQL, which the worker shares, and
redis-server, started for each test here (tests/tools.py; make test provides both).
"""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from aia.models import CaseEvent, Notification, OutboxTask, Report
from aia.models.choices import CaseState, EventType, ReportStatus
from aia.services import cases as s
from aia.services.outbox import outbox_sweep
from tests.factories import PASSWORD, case_in_state
from tests.integration.stack import (
    child_env,
    producer_on,
    start_beat,
    start_worker,
    wait_for,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.needs("redis"),
    pytest.mark.slow,
    pytest.mark.real_reports,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def stack(redis, tmp_path, settings):
    """Start nothing yet; give the test what it needs to start processes and clean them up."""
    processes = []
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = child_env(
        redis.url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
    )

    class Stack:
        def worker(self, name="worker", concurrency=1):
            process = start_worker(env, tmp_path / f"{name}.log", concurrency)
            processes.append(process)
            return process

        def beat(self, interval=2, name="beat"):
            process = start_beat(
                {**env, "AIA_BEAT_INTERVAL_SECONDS": str(interval)}, tmp_path / f"{name}.log"
            )
            processes.append(process)
            return process

        def emails(self) -> list[Path]:
            return sorted(mail_dir.iterdir())

    with producer_on(redis.url):
        yield Stack()
    for process in processes:
        process.stop()


def _report(case) -> Report:
    return Report.objects.filter(case=case).order_by("-number").first()


def _ready(case):
    report = _report(case)
    return report if report and report.status == ReportStatus.READY else None


def finished_runs(process, task: str) -> int:
    """Count the runs of ``task`` that the worker's log shows as ended, however they ended
    (Celery logs "Task <name>[<id>] succeeded in …", "… raised …", "… ignored", "… retry: …")."""
    ended = rf"Task {re.escape(task)}\[[^\]]+\] (?:succeeded|raised|ignored|retry)"
    return len(re.findall(ended, process.output()))


def test_sign_off_produces_a_ready_report_through_the_worker(team, stack):
    worker = stack.worker()
    case = case_in_state(team, CaseState.SIGN_OFF)

    s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)

    report = wait_for(lambda: _ready(case), timeout=90, what="the report to render")
    assert report.pdf.read().startswith(b"%PDF")
    assert report.page_count > 1  # the full report, rendered by the worker process
    assert "aia.tasks.report_render" in worker.output()
    # The task marks its outbox row done just after the report is saved.
    wait_for(
        lambda: OutboxTask.objects.get(task="aia.tasks.report_render").completed_at,
        timeout=30,
        what="the outbox row to be completed",
    )
    # The worker also emailed the hand-offs it was given.
    wait_for(
        lambda: not Notification.objects.filter(email_wanted=True, emailed_at=None).exists(),
        timeout=30,
        what="notification emails",
    )
    assert stack.emails()


def test_a_reminder_is_sent_through_beat(team, stack):
    # The case entered assessment 40 days ago, so its 20-working-day deadline has passed.
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        case = case_in_state(team, CaseState.ASSESSMENT)
    assert case.stage_deadline < timezone.localdate()
    worker = stack.worker()
    stack.beat(interval=2)

    wait_for(
        lambda: CaseEvent.objects.filter(case=case, type=EventType.REMINDER_SENT).exists(),
        timeout=60,
        what="beat to send the reminder",
    )
    wait_for(
        lambda: CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).exists(),
        timeout=30,
        what="the escalation",
    )
    # Beat keeps running the job: once it has run twice more, the reminder still exists once.
    runs = finished_runs(worker, "aia.tasks.deadline_reminders")
    wait_for(
        lambda: finished_runs(worker, "aia.tasks.deadline_reminders") >= runs + 2,
        timeout=60,
        what="the reminder job to run twice more",
    )
    assert CaseEvent.objects.filter(case=case, type=EventType.REMINDER_SENT).count() == 1
    assert Notification.objects.filter(case=case, kind="reminder").count() == 2
    assert Notification.objects.filter(case=case, kind="escalation", user=team.sro).count() == 1


def test_sign_off_while_redis_is_down_renders_the_report_once_redis_returns(team, stack, redis):
    case = case_in_state(team, CaseState.SIGN_OFF)
    redis.stop()

    s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)

    case.refresh_from_db()
    assert case.state == CaseState.SIGNED_OFF
    report = _report(case)
    assert report.status == ReportStatus.QUEUED
    row = OutboxTask.objects.get(task="aia.tasks.report_render")
    assert row.dispatched_at is None
    assert row.last_error

    redis.start()
    stack.worker()
    assert outbox_sweep() >= 1
    report = wait_for(lambda: _ready(case), timeout=90, what="the report after redis returned")
    assert CaseEvent.objects.filter(case=case, type=EventType.REPORT_RENDERED).count() == 1
    assert report.sha256


def test_worker_killed_while_rendering_renders_the_report_exactly_once(team, stack, settings):
    worker = stack.worker(name="doomed")
    case = case_in_state(team, CaseState.SIGN_OFF)
    s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    wait_for(
        lambda: _report(case).status == ReportStatus.RENDERING,
        timeout=60,
        what="rendering to start",
    )

    worker.kill()
    assert _report(case).status == ReportStatus.RENDERING

    stack.worker(name="replacement")
    # The lost delivery is found by the sweeper once it is stale.
    outbox_sweep(now=timezone.now() + datetime.timedelta(hours=1))
    report = wait_for(lambda: _ready(case), timeout=120, what="the report after the crash")
    assert CaseEvent.objects.filter(case=case, type=EventType.REPORT_RENDERED).count() == 1
    files = list((Path(settings.MEDIA_ROOT) / "reports").rglob("*.pdf"))
    assert len(files) == 1
    assert report.pdf.name.endswith(files[0].name)


def test_the_same_task_delivered_twice_has_one_effect(team, stack, settings):
    from aia.tasks import notification_email, report_render

    case = case_in_state(team, CaseState.SIGN_OFF)
    # Sign off with the broker unreachable from this process, so nothing is sent yet.
    with producer_on("redis://127.0.0.1:1/0"):
        s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    report = _report(case)
    note = Notification.objects.filter(case=case, email_wanted=True).first()
    worker = stack.worker(concurrency=2)

    for _ in range(2):
        report_render.apply_async(kwargs={"report_id": str(report.pk)})
        notification_email.apply_async(kwargs={"notification_id": str(note.pk)})

    wait_for(lambda: _ready(case), timeout=90, what="the report")
    wait_for(lambda: Notification.objects.get(pk=note.pk).emailed_at, timeout=30, what="the email")
    # Both deliveries of each task have ended (the second finding its work done).
    wait_for(
        lambda: finished_runs(worker, "aia.tasks.report_render") >= 2,
        timeout=90,
        what="both deliveries of the report task to end",
    )
    wait_for(
        lambda: finished_runs(worker, "aia.tasks.notification_email") >= 2,
        timeout=30,
        what="both deliveries of the email task to end",
    )
    assert CaseEvent.objects.filter(case=case, type=EventType.REPORT_RENDERED).count() == 1
    assert len(list((Path(settings.MEDIA_ROOT) / "reports").rglob("*.pdf"))) == 1
    mentions = [p for p in stack.emails() if note.subject in p.read_text(errors="replace")]
    assert len(mentions) == 1


def sent_by(beat, task: str) -> int:
    """Count the times beat's log shows it sending ``task`` to the broker."""
    return beat.output().count(f"({task})")


def test_two_beats_at_once_still_send_each_reminder_and_digest_once(team, stack):
    """Two beats on the DatabaseScheduler both send every periodic task (it has no lock, so a
    duplicated beat is possible); what each task does still happens once per period."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        case = case_in_state(team, CaseState.ASSESSMENT)
    worker = stack.worker()
    beats = [stack.beat(interval=2, name="beat-1"), stack.beat(interval=2, name="beat-2")]
    tasks = ("aia.tasks.deadline_reminders", "aia.tasks.daily_digest", "aia.tasks.outbox_sweep")
    for beat in beats:
        assert "scheduler -> django_celery_beat.schedulers.DatabaseScheduler" in beat.output()

    # Each beat sends each periodic task at least twice, and the worker runs them all.
    wait_for(
        lambda: all(sent_by(beat, task) >= 2 for beat in beats for task in tasks),
        timeout=90,
        what="both beats to send every periodic task twice",
    )
    for task in tasks:
        wait_for(
            lambda task=task: finished_runs(worker, task) >= 4,
            timeout=60,
            what=f"the worker to run {task} four times",
        )
    assert CaseEvent.objects.filter(case=case, type=EventType.REMINDER_SENT).count() == 1
    assert CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).count() == 1
    reminded = Notification.objects.filter(case=case, kind=Notification.Kind.REMINDER)
    assert reminded.count() == reminded.values("user").distinct().count() > 0
    digests = Notification.objects.filter(kind=Notification.Kind.DIGEST)
    assert digests.count() == digests.values("user").distinct().count() > 0
