import uuid

from django.conf import settings
from django.db import models

from aia.models.choices import ReportStatus


class Report(models.Model):
    """A version of a case's signed report, rendered from a frozen snapshot.

    A ready report is never re-rendered or overwritten; a revision supersedes it with a new
    version.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("aia.Case", on_delete=models.PROTECT, related_name="reports")
    number = models.PositiveIntegerField(help_text="1 for the first report of the case, and so on.")
    case_version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    snapshot_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    rendered_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="report_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Report {self.number} of {self.case_id}"
