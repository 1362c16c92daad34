from django.conf import settings
from django.db import models


class Submission(models.Model):
    """A request that creates something, made once per key.

    The key is the one-time token of the form the user submitted, or the ``Idempotency-Key``
    header an API client sent. A repeat of the same key by the same user (a second click, a
    second tab, a client's retry) is answered with what the first got, and creates nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=500, help_text="The path the request was posted to.")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request's body.")
    # What the first request was answered, replayed for a repeat: the API's status and body,
    # or the page's redirect and message.
    status = models.PositiveSmallIntegerField(default=0)
    answer = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_unique_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
