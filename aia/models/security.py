from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("This log is append-only.")

    def update(self, **kwargs):
        raise PermissionError("This log is append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("This log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("This log is append-only.")


class AccessRecord(AppendOnlyModel):
    """Who opened what, and when: every view of a case and every report opened or downloaded.

    Kept apart from the case's hash-chained audit trail so that reading never takes the case's
    row lock; auditors see both.
    """

    class What(models.TextChoices):
        CASE_PAGE = "case_page", "Case page viewed"
        CASE_API = "case_api", "Case read through the API"
        REPORT_VIEWED = "report_viewed", "Report opened"
        REPORT_DOWNLOADED = "report_downloaded", "Report downloaded"
        REPORT_PREVIEWED = "report_previewed", "Draft report previewed"
        SOURCE_DOWNLOADED = "source_downloaded", "Source file downloaded"
        BUNDLE_DOWNLOADED = "bundle_downloaded", "Evidence bundle downloaded"
        DECISION_RECORD_VIEWED = "decision_record_viewed", "Decision record opened"
        DECISION_RECORD_DOWNLOADED = "decision_record_downloaded", "Decision record downloaded"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("aia.Case", on_delete=models.PROTECT, related_name="access_records")
    report = models.ForeignKey(
        "aia.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_record = models.ForeignKey(
        "aia.DecisionRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what = models.CharField(max_length=30, choices=What.choices)
    at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.what} {self.case_id} at {self.at}"


class SecurityEvent(AppendOnlyModel):
    """Sign-ins, sign-outs, failed attempts, lockouts, re-authentications and password
    changes."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGNED_OUT = "signed_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out after repeated failures"
        SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong one-time code"
        SECOND_FACTOR_VERIFIED = "second_factor_verified", "One-time code verified"
        SECOND_FACTOR_REMOVED = "second_factor_removed", "Authenticator app removed"
        REAUTHENTICATED = "reauthenticated", "Re-entered password"
        REAUTHENTICATION_FAILED = "reauthentication_failed", "Wrong password on re-entry"
        PASSWORD_CHANGED = "password_changed", "Password changed (API token revoked)"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="As typed, for failures.")
    at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.username} at {self.at}"
