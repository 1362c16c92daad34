from django.contrib.auth.models import AbstractUser
from django.db import models

from aia.models.choices import Marking, Role


class User(AbstractUser):
    """A person or integration account using AIA.

    Roles are Django Groups named after ``Role``; ``clearance`` is the highest protective
    marking the user may read. A password is changed through
    ``aia.services.security.user_password_change``, which also revokes the user's API token.
    """

    clearance = models.CharField(
        max_length=32,
        choices=Marking.choices,
        default=Marking.OFFICIAL,
        help_text="The highest protective marking this user is cleared to read.",
    )
    department = models.CharField(max_length=100, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    email_notifications = models.BooleanField(
        default=True, help_text="Email me about hand-offs and deadlines (they always show in AIA)."
    )
    daily_digest = models.BooleanField(
        default=True, help_text="Email me a daily digest of the cases waiting on me."
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: Role | str) -> bool:
        """Return whether the user belongs to the role's group."""
        # Read through the prefetch cache when the caller has one.
        return any(group.name == role for group in self.groups.all())

    def is_cleared_for(self, marking: str) -> bool:
        return marking in Marking.covered_by(self.clearance)
