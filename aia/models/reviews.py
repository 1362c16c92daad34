from django.conf import settings
from django.db import models

from aia.models.choices import ReviewDecision, Stage


class Review(models.Model):
    """An approval or return of a stage, bound to the content it saw.

    ``content`` is the canonical content the reviewer saw and ``content_hash`` its SHA-256; an
    approval whose content later changes is voided (``voided_at``), visibly and for good.
    """

    case = models.ForeignKey("aia.Case", on_delete=models.CASCADE, related_name="reviews")
    version = models.PositiveIntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.stage} {self.decision} by {self.reviewer}"

    @property
    def is_valid_approval(self) -> bool:
        return self.decision == ReviewDecision.APPROVED and self.voided_at is None


class Dissent(models.Model):
    """A team member's recorded disagreement with a stage; it travels into the report."""

    case = models.ForeignKey("aia.Case", on_delete=models.CASCADE, related_name="dissents")
    version = models.PositiveIntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dissents"
    )
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Dissent on {self.stage} by {self.author}"
