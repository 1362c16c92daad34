import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Reliability(models.TextChoices):
    """How far a source can be relied on, in words a reader needs no key for.

    A three-step scale after the intelligence grading of sources: what has been corroborated,
    what comes from one credible source only, and what nobody has been able to check
    (docs/architecture.md, *Sources*).
    """

    CORROBORATED = "corroborated", "Confirmed by several independent sources"
    CREDIBLE = "credible", "Credible single source"
    UNVERIFIED = "unverified", "Unverified"


def source_file_path(source: "Source", filename: str) -> str:
    """Store each file under its case with a random name, never the name it was uploaded with:
    a name someone typed must not choose where, or as what, the file lands."""
    return f"sources/{source.case_id}/{uuid.uuid4().hex}"


class Source(models.Model):
    """A document in a case's source library, recorded once and cited from any section or
    option of the case (``Citation``). An attached file is kept with its SHA-256."""

    case = models.ForeignKey("aia.Case", on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=300, blank=True, help_text="Author or body.")
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    reliability = models.CharField(max_length=20, choices=Reliability.choices)
    file = models.FileField(upload_to=source_file_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=255, blank=True, help_text="As uploaded, checked.")
    content_type = models.CharField(max_length=100, blank=True, help_text="As detected.")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def has_file(self) -> bool:
        return bool(self.file)


class Citation(models.Model):
    """One place a library source is cited: a section or an option of the case."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="citations")
    section = models.ForeignKey(
        "aia.Section", null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    option = models.ForeignKey(
        "aia.Option", null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    cited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cited_at = models.DateTimeField()

    class Meta:
        ordering = ["cited_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="citation_on_section_or_option",
                condition=(
                    Q(section__isnull=False, option__isnull=True)
                    | Q(section__isnull=True, option__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["source", "section"],
                condition=Q(section__isnull=False),
                name="citation_unique_per_section",
            ),
            models.UniqueConstraint(
                fields=["source", "option"],
                condition=Q(option__isnull=False),
                name="citation_unique_per_option",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} cited"
