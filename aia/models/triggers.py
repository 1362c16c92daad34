import uuid

from django.conf import settings
from django.db import models

from aia.models.choices import Finding, Instrument, TriggerKind, TriggerOutcome


class Situation(models.Model):
    """A country, or an area within it, where atrocity risk is assessed.

    A situation has at most one open case at a time (see ``Case.Meta.constraints``).
    """

    country_code = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    name = models.CharField(max_length=200)
    # Case- and space-insensitive form of the name: "Sudan — Darfur" and "sudan —  darfur"
    # are the same situation.
    key = models.CharField(max_length=210, editable=False)
    area = models.CharField(max_length=200, blank=True, help_text="Optional sub-national area.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country_code", "key"], name="situation_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_code})"

    @staticmethod
    def make_key(name: str) -> str:
        return " ".join(name.split()).casefold()


class Trigger(models.Model):
    """An authoritative warning that puts the UK on notice of a serious risk.

    ``(source_body, reference)`` is unique, which makes ingestion idempotent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, choices=TriggerKind.choices)
    instrument = models.CharField(
        max_length=40, choices=Instrument.choices, default=Instrument.OTHER
    )
    source_body = models.CharField(max_length=200)
    reference = models.CharField(max_length=200, help_text="The source's own identifier.")
    title = models.CharField(max_length=300)
    finding_date = models.DateField()
    finding = models.CharField(max_length=20, choices=Finding.choices)
    crimes = models.JSONField(default=list, help_text="Crimes the finding concerns.")
    groups_at_risk = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    # Why an SRO opened a discretionary assessment (kind ``discretionary``); empty otherwise.
    reason = models.TextField(blank=True)
    situation = models.ForeignKey(Situation, on_delete=models.PROTECT, related_name="triggers")
    case = models.ForeignKey("aia.Case", on_delete=models.PROTECT, related_name="triggers")
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=TriggerOutcome.choices, editable=False)

    class Meta:
        ordering = ["finding_date", "received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_body", "reference"], name="trigger_unique_source_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_body} {self.reference}"

    @property
    def is_discretionary(self) -> bool:
        return self.kind == TriggerKind.DISCRETIONARY

    @property
    def is_expedited(self) -> bool:
        """Return whether this trigger puts its case on the expedited track
        (docs/architecture.md, *Situations and triggers*)."""
        return self.finding == Finding.ONGOING or (
            self.kind == TriggerKind.ICJ_FINDING
            and self.instrument == Instrument.PROVISIONAL_MEASURES_ORDER
        )
