"""Celery tasks: thin, idempotent and time-limited. Each takes IDs and calls one service.

Tasks sent through the outbox (``aia.services.outbox``) run with the outbox row's ID as their
task ID; ``OutboxAwareTask`` marks the row completed when the task ends, successfully or for
good, so the sweeper leaves it alone. A task that fails is not retried through Celery (a
countdown would keep it in the broker and in a worker's memory): the failure and the time of
the next attempt go on the row, and the sweeper sends the row again when that time comes.
"""

from celery import Task, shared_task
from celery.exceptions import Ignore
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)

# How many times a task may fail on one outbox row before it fails for good. The row waits
# 30 s, 1 min, 2 min … (at most an hour) between attempts (``aia.services.outbox``).
REPORT_RENDER_ATTEMPTS = 5  # about 8 minutes from the first failure to the last
NOTIFICATION_EMAIL_ATTEMPTS = 12  # about 5 hours: a mail server's outage or maintenance


class OutboxAwareTask(Task):
    """A task sent through the outbox, whose row records how each run ended."""

    #: How many times the task may fail on one row (set on each task).
    max_attempts = 1

    def on_success(self, retval, task_id, args, kwargs):
        from aia.services.outbox import outbox_complete

        outbox_complete(outbox_id=task_id)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from aia.services.outbox import outbox_complete

        outbox_complete(outbox_id=task_id, error=describe(exc))

    def retry_later(self, exc: Exception) -> None:
        """Record the failure on the task's outbox row and end this run if the row has attempts
        left: the message is acknowledged and the sweeper sends the row again when it is due.

        Return only when there is no later attempt, for the caller to fail for good: the row's
        last attempt failed, the task was sent without a row, or it runs in-process (eager
        mode, where nothing would send it again).
        """
        if self.request.is_eager:
            return
        from aia.services.outbox import outbox_attempt_failed

        next_attempt_at = outbox_attempt_failed(
            outbox_id=self.request.id, error=describe(exc), max_attempts=self.max_attempts
        )
        if next_attempt_at is None:
            return
        # The worker's task log format names the task and its ID.
        logger.warning("Failed (%s); next attempt at %s", describe(exc), next_attempt_at)
        raise Ignore() from exc


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@shared_task(
    bind=True,
    base=OutboxAwareTask,
    acks_late=True,
    reject_on_worker_lost=True,
    max_attempts=REPORT_RENDER_ATTEMPTS,
    time_limit=180,
    soft_time_limit=150,
)
def report_render(self, report_id: str) -> str:
    """Render a signed report; after a failure try again later, after the last mark it failed."""
    from aia.services.reports import report_mark_failed
    from aia.services.reports import report_render as report_render_service

    try:
        report = report_render_service(report_id=report_id)
    except Exception as exc:
        self.retry_later(exc)
        report_mark_failed(report_id=report_id, reason=describe(exc))
        raise
    return report.status


@shared_task(
    bind=True,
    base=OutboxAwareTask,
    acks_late=True,
    reject_on_worker_lost=True,
    max_attempts=REPORT_RENDER_ATTEMPTS,
    time_limit=120,
    soft_time_limit=100,
)
def decision_record_render(self, decision_record_id: str) -> str:
    """Render a decision record; after a failure try again later, after the last mark it
    failed."""
    from aia.services.decision_records import decision_record_mark_failed
    from aia.services.decision_records import decision_record_render as render_service

    try:
        record = render_service(decision_record_id=decision_record_id)
    except Exception as exc:
        self.retry_later(exc)
        decision_record_mark_failed(decision_record_id=decision_record_id, reason=describe(exc))
        raise
    return record.status


@shared_task(
    bind=True,
    base=OutboxAwareTask,
    acks_late=True,
    max_attempts=NOTIFICATION_EMAIL_ATTEMPTS,
    time_limit=60,
    soft_time_limit=50,
)
def notification_email(self, notification_id: str) -> bool:
    """Email one notification (once, however often the task runs); if sending fails, try again
    later."""
    from aia.services.notifications import notification_email_send

    try:
        return notification_email_send(notification_id=notification_id)
    except Exception as exc:
        self.retry_later(exc)
        raise


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def outbox_sweep() -> int:
    """Dispatch outbox work that was never sent, was lost, or is due again after a failure."""
    from aia.services.outbox import outbox_sweep as outbox_sweep_service

    return outbox_sweep_service()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def deadline_reminders() -> int:
    """Send the reminders and escalations that are due (each once per stage and threshold)."""
    from aia.services.reminders import deadline_reminders_send

    return deadline_reminders_send()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=580)
def daily_digest() -> int:
    """Send each user who wants one a digest of the cases waiting on them (once a day)."""
    from aia.services.reminders import daily_digest_send

    return daily_digest_send()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=580)
def chain_heads_digest() -> str:
    """Publish every case's audit chain head outside the database (once a day).

    Safe to run again: a second run writes a second digest, chained to the first.
    """
    from aia.services.anchors import anchor_digest_write

    return anchor_digest_write().name
