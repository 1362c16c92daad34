import uuid

from django.conf import settings
from django.db import models

from aia.models.choices import DecisionRecordKind, ReportStatus


class RenderedDocument(models.Model):
    """What every signed document rendered once to PDF records of its rendering
    (``aia.services.rendering``); each kind adds its ``pdf`` field and what it is about."""

    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Report(RenderedDocument):
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
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    created_at = models.DateTimeField()
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


class DecisionRecord(RenderedDocument):
    """The minister's answer to a signed report, as a short signed PDF: the decision on the
    whole and on each recommended option, or the request for a revision.

    Frozen when the minister acts, with the head of the case's audit chain at that moment (the
    event that records the answer included), so the PDF anchors the chain up to it. Like a
    report, it is rendered once; a ready record is never changed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("aia.Case", on_delete=models.PROTECT, related_name="decision_records")
    number = models.PositiveIntegerField(help_text="1 for the case's first decision record.")
    kind = models.CharField(max_length=20, choices=DecisionRecordKind.choices)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="decision_records")
    snapshot = models.JSONField()
    snapshot_hash = models.CharField(max_length=64)
    chain_sequence = models.PositiveIntegerField(
        help_text="The number of the audit chain's last event when the record was made."
    )
    chain_hash = models.CharField(max_length=64, help_text="That event's hash.")
    pdf = models.FileField(upload_to="decisions/%Y/", blank=True)
    created_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"], name="decision_record_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Decision record {self.number} of {self.case_id}"

    def save(self, *args, **kwargs):
        # A signed record, once rendered, is evidence: nothing may rewrite it.
        if getattr(self, "_loaded_status", None) == ReportStatus.READY:
            raise PermissionError("A rendered decision record cannot be changed.")
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        raise PermissionError("A decision record cannot be deleted.")

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        # Noted from the row as read (a deferred status is not fetched for it).
        if "status" in field_names:
            record._loaded_status = values[list(field_names).index("status")]
        return record
