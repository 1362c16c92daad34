from datetime import UTC

from django.conf import settings
from django.db import models

from aia.models.choices import CaseState, EventType, Stage


class CaseEventQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("The audit trail is append-only.")

    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")


class CaseEvent(models.Model):
    """One entry in a case's append-only, hash-chained audit trail.

    ``hash`` is the SHA-256 of the entry's canonical content, which includes ``previous_hash``
    (the hash of the case's previous entry), so changing, reordering or removing any entry
    breaks the chain. Only ``aia.services.audit`` writes entries; ``verify_audit`` checks them.
    """

    # Indexed by ``case_event_unique_sequence``, which leads with the case.
    case = models.ForeignKey(
        "aia.Case", on_delete=models.PROTECT, related_name="events", db_index=False
    )
    sequence = models.PositiveIntegerField()
    type = models.CharField(max_length=40, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the system.",
    )
    transition = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    version = models.PositiveIntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    occurred_at = models.DateTimeField()
    details = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique: ``case_event_unique_hash``

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="case_event_unique_sequence"),
            # A constraint rather than ``unique=True``, which on PostgreSQL adds a second
            # index for ``LIKE`` that no query of a hash uses.
            models.UniqueConstraint(fields=["hash"], name="case_event_unique_hash"),
        ]
        indexes = [models.Index(fields=["case", "version", "stage", "actor"])]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.sequence} {self.type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def chained_content(self) -> dict:
        """Return the fields the hash covers, as JSON-ready data."""
        return {
            "case": str(self.case_id),
            "sequence": self.sequence,
            "type": self.type,
            "actor": self.actor_id,
            "transition": self.transition,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "version": self.version,
            "stage": self.stage,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "details": self.details,
            "previous_hash": self.previous_hash,
        }
