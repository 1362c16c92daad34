"""The transactional outbox: Celery work recorded with the change that caused it."""

import datetime
import logging
from collections.abc import Sequence
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

# Registers the tasks in Celery's registry, where ``outbox_task`` looks a row's name up, in
# every process that dispatches (web, shell, eager mode), not only in a worker.
import aia.tasks  # noqa: F401
from aia.models import OutboxTask
from config.celery import app as celery_app

logger = logging.getLogger(__name__)

# How long a dispatched task may stay unfinished before the sweeper sends it again. Longer
# than the longest task's time limit, so a slow task is not sent twice without need.
DEFAULT_STALE_AFTER = datetime.timedelta(minutes=10)
# After a task fails on a row, the row waits 30 seconds before it is sent again, twice as long
# after each further failure, at most an hour. The sweeper, every minute, sends it when due.
RETRY_FIRST_DELAY = datetime.timedelta(seconds=30)
RETRY_MAX_DELAY = datetime.timedelta(hours=1)


def outbox_enqueue(*, task: str, kwargs: dict[str, Any]) -> OutboxTask:
    """Record work for ``task`` in the caller's transaction and dispatch it after commit."""
    return outbox_enqueue_many(task=task, kwargs_list=[kwargs])[0]


def outbox_enqueue_many(*, task: str, kwargs_list: Sequence[dict[str, Any]]) -> list[OutboxTask]:
    """Record one piece of work for ``task`` per item of ``kwargs_list``, in one insert in the
    caller's transaction, and dispatch each row after commit."""
    if not kwargs_list:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Outbox work is recorded inside the service's transaction.")
    # A misspelt name fails the service now rather than every dispatch later.
    outbox_task(task)
    now = timezone.now()
    rows = OutboxTask.objects.bulk_create(
        OutboxTask(task=task, kwargs=kwargs, created_at=now) for kwargs in kwargs_list
    )
    for row in rows:
        transaction.on_commit(lambda outbox_id=row.pk: outbox_dispatch(outbox_id=outbox_id))
    return rows


def outbox_dispatch(*, outbox_id: Any) -> bool:
    """Send one outbox row to Celery; return whether the broker took it.

    A broker that is down is not an error here: the row stays undispatched and the sweeper
    sends it when the broker is back.
    """
    row = OutboxTask.objects.filter(pk=outbox_id, completed_at__isnull=True).first()
    if row is None:
        return False
    try:
        task = outbox_task(row.task)
    except LookupError as exc:
        # No retry mends this, but the row keeps the work until a release registers the task.
        logger.error("Could not dispatch outbox row %s: %s", row.pk, exc)
        OutboxTask.objects.filter(pk=row.pk).update(last_error=str(exc)[:2000])
        return False
    OutboxTask.objects.filter(pk=row.pk).update(
        dispatched_at=timezone.now(), dispatch_count=F("dispatch_count") + 1
    )
    try:
        task.apply_async(kwargs=row.kwargs, task_id=str(row.pk))
    except Exception as exc:  # the broker being down must not break the caller
        logger.warning(
            "Could not dispatch %s (%s): %s; the sweeper will retry", row.task, row.pk, exc
        )
        OutboxTask.objects.filter(pk=row.pk).update(dispatched_at=None, last_error=str(exc)[:2000])
        return False
    return True


def outbox_task(name: str) -> Task:
    """Return the Celery task registered under ``name``, as stored on an outbox row.

    Raise ``LookupError`` naming the task if Celery has none by that name.
    """
    try:
        return celery_app.tasks[name]
    except KeyError:
        raise LookupError(f"No Celery task is registered as {name!r}.") from None


def outbox_complete(*, outbox_id: Any, error: str = "") -> None:
    """Mark an outbox row done (called by the task when it finishes, successfully or not)."""
    OutboxTask.objects.filter(pk=outbox_id, completed_at__isnull=True).update(
        completed_at=timezone.now(), last_error=error[:2000]
    )


def outbox_attempt_failed(
    *, outbox_id: Any, error: str, max_attempts: int, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """Record that the task failed on an outbox row; return when the sweeper may send it again.

    Return ``None`` when there is no next attempt: the row had ``max_attempts`` failures (it is
    then completed with the error), or there is no uncompleted row by that ID (the task was not
    sent through the outbox, or another run finished the row).
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            OutboxTask.objects.select_for_update()
            .filter(pk=outbox_id, completed_at__isnull=True)
            .first()
        )
        if row is None:
            return None
        row.failed_attempts += 1
        row.last_error = error[:2000]
        if row.failed_attempts >= max_attempts:
            row.completed_at = now
            row.next_attempt_at = None
        else:
            row.next_attempt_at = now + outbox_retry_delay(failed_attempts=row.failed_attempts)
            # No longer in the broker: the sweeper sends it again once it is due.
            row.dispatched_at = None
        row.save(
            update_fields=[
                "failed_attempts",
                "last_error",
                "completed_at",
                "next_attempt_at",
                "dispatched_at",
            ]
        )
    return row.next_attempt_at


def outbox_retry_delay(*, failed_attempts: int) -> datetime.timedelta:
    """Return how long a row waits after its ``failed_attempts``-th failure (30 s, 1 min, 2 min,
    4 min … at most an hour)."""
    doublings = min(max(failed_attempts - 1, 0), 16)
    return min(RETRY_FIRST_DELAY * 2**doublings, RETRY_MAX_DELAY)


def outbox_sweep(*, now: datetime.datetime | None = None) -> int:
    """Dispatch every row not yet completed that is due: never sent, waiting too long, or past
    the time of its next attempt after a failure.

    Return how many rows were sent to the broker.
    """
    now = now or timezone.now()
    stale_after = getattr(settings, "AIA_OUTBOX_STALE_AFTER", DEFAULT_STALE_AFTER)
    pending = OutboxTask.objects.filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - stale_after),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        completed_at__isnull=True,
    )
    sent = 0
    for row_id in pending.order_by("created_at").values_list("pk", flat=True)[:500]:
        sent += outbox_dispatch(outbox_id=row_id)
    return sent
