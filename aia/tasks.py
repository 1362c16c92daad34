"""Celery tasks: thin, idempotent and time-limited. Each takes IDs and calls one service.

Tasks sent through the outbox (``aia.services.outbox``) run with the outbox row's ID as their
task ID; ``OutboxAwareTask`` marks the row completed when the task ends, successfully or for
good, so the sweeper leaves it alone.
"""

from celery import Task, shared_task
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)

REPORT_RENDER_RETRIES = 4


class OutboxAwareTask(Task):
    def on_success(self, retval, task_id, args, kwargs):
        from aia.services.outbox import outbox_complete

        outbox_complete(outbox_id=task_id)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from aia.services.outbox import outbox_complete

        outbox_complete(outbox_id=task_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    bind=True,
    base=OutboxAwareTask,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=REPORT_RENDER_RETRIES,
    time_limit=180,
    soft_time_limit=150,
)
def report_render(self, report_id: str) -> str:
    """Render a signed report; retry with backoff, then mark it failed."""
    from aia.services.reports import report_mark_failed
    from aia.services.reports import report_render as report_render_service

    try:
        report = report_render_service(report_id=report_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries or self.request.is_eager:
            report_mark_failed(report_id=report_id, reason=f"{type(exc).__name__}: {exc}")
            raise
        countdown = 2 ** (self.request.retries + 1)
        logger.warning("Rendering report %s failed (%s); retry in %ss", report_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc
    return report.status


@shared_task(
    bind=True,
    base=OutboxAwareTask,
    acks_late=True,
    max_retries=5,
    time_limit=60,
    soft_time_limit=50,
)
def notification_email(self, notification_id: str) -> bool:
    """Email one notification (once, however often the task runs)."""
    from aia.services.notifications import notification_email_send

    try:
        return notification_email_send(notification_id=notification_id)
    except Exception as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=30 * (self.request.retries + 1)) from exc


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def outbox_sweep() -> int:
    """Dispatch outbox work that was never sent, or was lost, to the broker."""
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
