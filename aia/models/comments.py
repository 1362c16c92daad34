from django.conf import settings
from django.db import models
from django.db.models import Q

from aia.models.choices import Stage


class Comment(models.Model):
    """A comment on one section or one option of a case, or a reply in its thread.

    A thread is one comment (``parent`` empty) and its replies, one level deep; a reply carries
    its thread's target so each item's comments are read in one query. Only the thread's first
    comment is resolved, which closes the whole thread.
    """

    case = models.ForeignKey("aia.Case", on_delete=models.CASCADE, related_name="comments")
    version = models.PositiveIntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    section = models.ForeignKey(
        "aia.Section", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    option = models.ForeignKey(
        "aia.Option", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField()
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="comment_on_section_or_option",
                condition=(
                    Q(section__isnull=False, option__isnull=True)
                    | Q(section__isnull=True, option__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.case}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
