import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from aia.demo.seed import DemoSeedError, SeedResult, seed_demo, seeding_refusal_reason

ENVIRONMENT_VARIABLE = "AIA_DEMO_PASSWORD"
SITE_URL = "http://127.0.0.1:8000/"
# Loggers that report every page of every rendered report and every in-process task at INFO.
CHATTY_LOGGERS = ("weasyprint", "celery.app.trace")


class Command(BaseCommand):
    help = (
        "Create demo users for every role and demo cases from public-record triggers, walked "
        "to their states through the real services. Safe to run again; refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"Password for every demo user (default: the {ENVIRONMENT_VARIABLE} variable).",
        )

    def handle(self, *args, **options):
        reason = seeding_refusal_reason()
        if reason:
            raise CommandError(reason)
        password, given_by = options["password"], "--password"
        if not password:
            password, given_by = os.environ.get(ENVIRONMENT_VARIABLE, ""), ENVIRONMENT_VARIABLE
        if not password:
            raise CommandError(
                "Give the demo users' password with --password or in the "
                f"{ENVIRONMENT_VARIABLE} environment variable."
            )
        # Walking the cases hands them on about a hundred times, and each hand-off emails the
        # next people. The demo addresses cannot receive mail and the console backend would
        # bury the summary, so no email is sent; the notifications still show in the app.
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                _quiet(CHATTY_LOGGERS, unless=options["verbosity"] > 1),
            ):
                result = seed_demo(password=password, log=self.stdout.write)
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        self._write_summary(result, given_by)

    def _write_summary(self, result: SeedResult, given_by: str) -> None:
        out = self.stdout.write
        out("")
        out(f"Demo users (password: the one you gave with {given_by}; it is not shown)")
        rows = [("username", "roles", "clearance", "who")]
        for user in result.users:
            roles = [group.name for group in user.groups.order_by("name")]
            extra = [
                perm.split(".")[1]
                for perm in sorted(user.get_user_permissions())
                if perm.startswith("aia.")
            ]
            label = ", ".join([*roles, *(f"+{perm}" for perm in extra)]) or "-"
            who = f"{user.display_name}, {user.job_title} ({user.department})"
            rows.append((user.username, label, user.clearance, who))
        self._table(rows)
        out("")
        out("Demo cases")
        rows = [("reference", "state", "track", "knowledge", "triggers", "situation")]
        for seeded in sorted(result.cases, key=lambda seeded: seeded.case.reference):
            case = seeded.case
            state = case.state + (f" (v{case.version})" if case.version > 1 else "")
            rows.append(
                (
                    case.reference,
                    state,
                    case.track,
                    case.knowledge_date.isoformat(),
                    str(case.triggers.count()),
                    f"{case.situation.name} ({case.situation.country_code})",
                )
            )
        self._table(rows)
        out("")
        out(f"Sign in at {SITE_URL} (Django admin: {SITE_URL}admin/, for superusers only).")
        out(
            "Legal advisers, SROs and the minister also enter a one-time code after the "
            "password: `.venv/bin/python manage.py demo_code USERNAME` prints the current one."
        )
        out("The demo users and cases are described in docs/demo.md.")

    def _table(self, rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  " + line.rstrip())


@contextmanager
def _quiet(names: tuple[str, ...], *, unless: bool) -> Iterator[None]:
    """Raise the loggers' level to WARNING for the duration, unless asked not to."""
    loggers = [] if unless else [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
