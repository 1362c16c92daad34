"""Celery tasks: thin, idempotent and time-limited. Each takes IDs and calls one service."""

from celery import shared_task
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)

REPORT_RENDER_RETRIES = 4


@shared_task(
    bind=True,
    acks_late=True,
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
        logger.warning(
            "Rendering report %s failed (%s); retrying in %ss", report_id, exc, countdown
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    return report.status
