"""Check a case's evidence bundle without the database.

    manage.py verify_bundle FILE.zip [--anchor HASH ...] [--digest FILE ...]

Prints each check that passed. Exit status: 0 when every check passes, 1 at the first that
fails ("BROKEN", naming the file or the event), 2 when the file cannot be read as a ZIP.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aia.anchors import DigestUnreadable, Head, digest_heads
from aia.bundle_check import BundleBroken, BundleUnreadable, bundle_verify

BROKEN = 1
UNREADABLE = 2


class Command(BaseCommand):
    help = (
        "Check an evidence bundle on its own, without AIA's database: every file against the "
        "manifest, the audit chain from its first event to the manifest's head, each report "
        "and source file against the SHA-256 its audit event recorded, and each anchor."
    )
    # The checks read the ZIP and nothing else.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="The bundle (a ZIP) to check.")
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="HASH",
            help="A chain head noted or published earlier, which the chain must contain "
            "(may be given more than once).",
        )
        parser.add_argument(
            "--digest",
            action="append",
            default=[],
            metavar="FILE",
            help="A chain-head digest (manage.py anchor_digest): the case's head in it must "
            "be on the chain (may be given more than once).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        self.stdout.write(f"Bundle:  {path}")
        digests = {name: _read_digest(name) for name in options["digest"]}
        try:
            with path.open("rb") as handle:
                for passed in bundle_verify(handle, options["anchor"], digests):
                    self.stdout.write(f"OK      {passed}")
        except OSError as error:
            raise CommandError(
                f"Cannot read {path}: {error.strerror or error}", returncode=UNREADABLE
            ) from error
        except BundleUnreadable as error:
            raise CommandError(f"Cannot read {path}: {error}", returncode=UNREADABLE) from error
        except BundleBroken as error:
            raise CommandError(f"BROKEN  {error}", returncode=BROKEN) from error
        self.stdout.write(self.style.SUCCESS("All checks passed: the bundle is intact."))


def _read_digest(name: str) -> dict[str, Head]:
    try:
        return digest_heads(Path(name).read_bytes())
    except OSError as error:
        raise CommandError(
            f"Cannot read {name}: {error.strerror or error}", returncode=UNREADABLE
        ) from error
    except DigestUnreadable as error:
        raise CommandError(f"Cannot read {name}: {error}", returncode=UNREADABLE) from error
