"""``manage.py changepassword``: Django's command of that name, through AIA's service.

Django's own command saves the user directly; this one changes the password with
``user_password_change``, so that the user's API token is revoked and the change logged.
Django runs the command of the app listed first in ``INSTALLED_APPS``: ``aia`` is listed above
``django.contrib.auth`` for this one to shadow Django's.
"""

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aia.models import User
from aia.services.security import user_password_change

MAX_TRIES = 3


class Command(BaseCommand):
    help = "Change a user's password; their API token is revoked and the change logged."
    requires_migrations_checks = True
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "username",
            nargs="?",
            help="The user whose password to change; by default, your own login name.",
        )

    def handle(self, *args, username: str | None, **options) -> str:
        username = username or getpass.getuser()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"user '{username}' does not exist") from None
        self.stdout.write(f"Changing password for user '{username}'")
        password = self._ask_password(user)
        user_password_change(user=user, password=password)
        return f"Password changed successfully for user '{username}'"

    def _ask_password(self, user: User) -> str:
        """Prompt until the password is typed the same twice and passes the validators."""
        for _ in range(MAX_TRIES):
            first = self._prompt("Password: ")
            if first != self._prompt("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(first, user)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            return first
        raise CommandError(
            f"Aborting password change for user '{user.username}' after {MAX_TRIES} attempts"
        )

    def _prompt(self, prompt: str) -> str:
        password = getpass.getpass(prompt=prompt)
        if not password:
            raise CommandError("aborted")
        return password
