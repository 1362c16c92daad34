import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from aia.models.choices import Decision, LeadDepartment, Level, OptionCategory, Recommendation


class Option(models.Model):
    """An entry in a case's options register.

    Options considered and rejected stay on the record (``not_recommended``); an option taken
    out of consideration is withdrawn, never deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("aia.Case", on_delete=models.CASCADE, related_name="options")
    version = models.PositiveIntegerField()
    category = models.CharField(max_length=20, choices=OptionCategory.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    target_actors = models.TextField(blank=True)
    lead_department = models.CharField(max_length=20, choices=LeadDepartment.choices)
    expected_effect = models.CharField(max_length=10, choices=Level.choices)
    feasibility = models.CharField(max_length=10, choices=Level.choices)
    risk_of_harm = models.CharField(max_length=10, choices=Level.choices)
    mitigation = models.TextField(blank=True)
    timeframe = models.CharField(max_length=200, blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    rationale = models.TextField(blank=True)

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # The option this one was copied from when the case was reopened.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    CONTENT_FIELDS = (
        "category",
        "title",
        "description",
        "target_actors",
        "lead_department",
        "expected_effect",
        "feasibility",
        "risk_of_harm",
        "mitigation",
        "timeframe",
        "recommendation",
        "rationale",
    )

    class Meta:
        ordering = ["category", "created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def minister_decision(self) -> "OptionDecision | None":
        """The minister's decision on this option, if it was recommended and decided."""
        try:
            return self.decision
        except ObjectDoesNotExist:
            return None

    def content(self) -> dict:
        data = {"id": str(self.copied_from_id or self.id)}
        data.update({name: getattr(self, name) for name in self.CONTENT_FIELDS})
        data["withdrawn"] = self.withdrawn_at is not None
        data["withdrawal_reason"] = self.withdrawal_reason
        return data


class OptionGap(models.Model):
    """The recorded reason why a core option category has no option, in one version."""

    case = models.ForeignKey("aia.Case", on_delete=models.CASCADE, related_name="option_gaps")
    version = models.PositiveIntegerField()
    category = models.CharField(max_length=20, choices=OptionCategory.choices)
    reason = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "version", "category"], name="option_gap_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.reason[:40]}"


class OptionDecision(models.Model):
    """The minister's decision on one recommended option."""

    case = models.ForeignKey("aia.Case", on_delete=models.CASCADE, related_name="option_decisions")
    version = models.PositiveIntegerField()
    option = models.OneToOneField(Option, on_delete=models.PROTECT, related_name="decision")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    note = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["option__category", "option__created_at"]

    def __str__(self) -> str:
        return f"{self.option}: {self.decision}"
