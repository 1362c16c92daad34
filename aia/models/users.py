from django.contrib.auth.models import AbstractUser
from django.db import models, transaction

from aia.models.choices import Marking, Role


class User(AbstractUser):
    """A person or integration account using AIA.

    Roles are Django Groups named after ``Role``; ``clearance`` is the highest protective
    marking the user may read.
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

    def save(self, *args, **kwargs) -> None:
        # ``set_password`` keeps the new password in ``_password`` until the row is saved.
        if self._password is None or self._state.adding:
            super().save(*args, **kwargs)
            return
        # A new password for an existing account: its token is revoked with the save.
        from aia.services.security import password_changed

        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            password_changed(user=self)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: Role | str) -> bool:
        """Return whether the user belongs to the role's group."""
        # Read through the prefetch cache when the caller has one.
        return any(group.name == role for group in self.groups.all())

    def is_cleared_for(self, marking: str) -> bool:
        return marking in Marking.covered_by(self.clearance)
