import uuid

from django.conf import settings
from django.db import models


class OutboxTask(models.Model):
    """Work for Celery, recorded in the same transaction as the change that caused it.

    A row is dispatched after commit (its Celery task ID is the row's ID) and marked completed
    by the task; ``aia.tasks.outbox_sweep`` dispatches again anything not completed in time, so
    a broker outage or a worker crash delays work but never loses it. Every task is safe to
    run twice.

    A task that fails records it here, with the time of its next attempt; the sweeper sends the
    row again once that time has come, so no retry waits in the broker or in a worker. States:

    - pending: ``dispatched_at`` empty and ``next_attempt_at`` empty or past (the sweeper sends it);
    - dispatched: ``dispatched_at`` set (sent again if it stays unfinished too long);
    - waiting to retry: ``dispatched_at`` empty, ``next_attempt_at`` in the future;
    - completed: ``completed_at`` set, with ``last_error`` if the task failed for good.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=100, help_text="Registered Celery task name.")
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_count = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failed_attempts = models.PositiveIntegerField(
        default=0, help_text="How many times the task has failed on this row."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Not sent again before this time (after a failure)."
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["completed_at", "dispatched_at"])]

    def __str__(self) -> str:
        return f"{self.task} {self.kwargs}"


class Notification(models.Model):
    """A message to one user about a hand-off or a deadline, shown in the app and, if the
    user wants, emailed.

    ``key`` makes sending idempotent: the same reminder or hand-off is never recorded twice.
    """

    class Kind(models.TextChoices):
        CASE_AWAITING_TEAM = "case_awaiting_team", "New case awaiting a team"
        ASSIGNED = "assigned", "Assigned to a case"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"
        SIGNED_OFF = "signed_off", "Signed off"
        REPORT_READY = "report_ready", "Report ready"
        REPORT_FAILED = "report_failed", "Report rendering failed"
        WITH_MINISTER = "with_minister", "With the minister"
        DECISION_RECORDED = "decision_recorded", "Decision recorded"
        TRIGGER_JOINED = "trigger_joined", "New trigger joined the case"
        COMMENT = "comment", "Comment on the case's work"
        REMINDER = "reminder", "Deadline reminder"
        ESCALATION = "escalation", "Overdue stage escalated"
        DIGEST = "digest", "Daily digest"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by the index on (user, read_at), which leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    case = models.ForeignKey(
        "aia.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200)  # unique: ``notification_unique_key``
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_wanted = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            # A constraint rather than ``unique=True``, which on PostgreSQL adds a second
            # index for ``LIKE`` that no query of a key uses.
            models.UniqueConstraint(fields=["key"], name="notification_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.subject}"
