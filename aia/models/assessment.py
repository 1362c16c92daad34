from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from aia.framework import SECTION_CODES, get_framework
from aia.models.choices import Capacity, Confidence, Rating, SectionKind, SectionStatus

if TYPE_CHECKING:
    from aia.models.cases import Case


class Section(models.Model):
    """One section of a case's assessment in one version: scope, a risk factor, the UK
    footprint or a dimension (codes are a contract: docs/architecture.md, *Assessment sections*).

    Fields that do not apply to a section's kind stay empty: ``rating`` and ``indicators`` are
    for risk factors, ``capacity`` for dimensions, ``exposure`` for the UK footprint, and the
    period, groups, crimes and perpetrators for the scope.
    """

    # Indexed by ``section_unique_per_version``, which leads with the case.
    case = models.ForeignKey(
        "aia.Case", on_delete=models.CASCADE, related_name="sections", db_index=False
    )
    version = models.PositiveIntegerField()
    code = models.CharField(max_length=20, choices=[(code, code) for code in SECTION_CODES])
    kind = models.CharField(max_length=20, choices=SectionKind.choices)
    status = models.CharField(
        max_length=20, choices=SectionStatus.choices, default=SectionStatus.NOT_STARTED
    )

    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    capacity = models.CharField(max_length=10, choices=Capacity.choices, blank=True)
    exposure = models.CharField(max_length=10, choices=Capacity.choices, blank=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    analysis = models.TextField(blank=True)
    key_evidence = models.TextField(blank=True, help_text="A short statement for the report.")
    indicators = models.JSONField(
        default=list, blank=True, help_text="Numbers of the indicators judged present."
    )
    sources = models.JSONField(default=list, blank=True, help_text="[{title, url, date}]")

    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    groups_at_risk = models.TextField(blank=True)
    crimes_at_risk = models.JSONField(default=list, blank=True)
    likely_perpetrators = models.TextField(blank=True)

    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see ``section_updated_by``
    )

    # Fields that make up the section's content, in the order the canonical form uses.
    CONTENT_FIELDS = (
        "rating",
        "capacity",
        "exposure",
        "confidence",
        "analysis",
        "key_evidence",
        "indicators",
        "sources",
        "period_start",
        "period_end",
        "groups_at_risk",
        "crimes_at_risk",
        "likely_perpetrators",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "version", "code"], name="section_unique_per_version"
            ),
        ]
        indexes = [
            # Only the rows someone edited: a user's are found (when the user is deleted) with
            # no entry for each new section, which has none.
            models.Index(
                fields=["updated_by"],
                condition=models.Q(updated_by__isnull=False),
                name="section_updated_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} (v{self.version})"

    @classmethod
    def untouched(
        cls, case: "Case", version: int, codes: Sequence[str] = SECTION_CODES
    ) -> list["Section"]:
        """Return a version's sections as nobody has touched them: one per framework section
        code of ``codes`` (every one by default), in that order, unsaved, every field at its
        default."""
        framework = get_framework()
        return [
            cls(case=case, version=version, code=code, kind=framework.section(code).kind)
            for code in codes
        ]

    def content(self) -> dict:
        """Return the section's content as plain JSON-ready data."""
        data = {"code": self.code}
        for name in self.CONTENT_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return data

    # What a complete section of each kind holds, in the order its page asks for it.
    REQUIRED_FOR_COMPLETION: dict[str, tuple[str, ...]] = {
        SectionKind.SCOPE: ("period_start", "groups_at_risk", "crimes_at_risk", "analysis"),
        SectionKind.RISK_FACTOR: ("rating", "confidence", "analysis"),
        SectionKind.FOOTPRINT: ("exposure", "confidence", "analysis"),
        SectionKind.DIMENSION: ("capacity", "confidence", "analysis"),
    }

    @classmethod
    def missing_for_completion(cls, kind: str, values: Mapping[str, Any]) -> list[str]:
        """Return the fields a section of ``kind`` with these ``values`` still needs to be
        complete, in page order; ``sources`` when a factor judged present cites none.

        The pages ask it of what the user typed as well as of what is saved, so it takes the
        values rather than the section. ``cited`` (true when the section cites a source of
        the case's library) counts as a source, as a source typed on the page does.
        """
        missing = [name for name in cls.REQUIRED_FOR_COMPLETION[kind] if _empty(values.get(name))]
        # A factor judged present needs evidence behind the judgement.
        if (
            kind == SectionKind.RISK_FACTOR
            and values.get("rating") in (Rating.PRESENT, Rating.PARTIALLY_PRESENT)
            and not values.get("sources")
            and not values.get("cited")
        ):
            missing.append("sources")
        return missing

    def is_citing(self) -> bool:
        """Return whether the section cites a source of its case's library."""
        return self.pk is not None and self.citations.exists()

    def compute_status(self) -> str:
        """Return the status the section's content earns (docs/architecture.md, *Assessment
        sections*)."""
        values = {name: getattr(self, name) for name in self.CONTENT_FIELDS}
        cited = self.is_citing()
        if all(_empty(value) for value in values.values()) and not cited:
            return SectionStatus.NOT_STARTED
        if self.missing_for_completion(self.kind, {**values, "cited": cited}):
            return SectionStatus.IN_PROGRESS
        return SectionStatus.COMPLETE


def _empty(value: Any) -> bool:
    return value in ("", None, [])
