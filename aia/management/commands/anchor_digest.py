"""Write a digest of every case's audit chain head to the anchors storage, now.

    manage.py anchor_digest

The same digest the daily task writes (``aia.services.anchors``); a second run writes a
second digest, chained to the first.
"""

from django.core.management.base import BaseCommand

from aia.services.anchors import anchor_digest_write


class Command(BaseCommand):
    help = (
        "Write a new digest of every case's audit chain head to the anchors storage, chained "
        "to the previous digest by its SHA-256. Never replaces a digest."
    )

    def handle(self, *args, **options):
        written = anchor_digest_write()
        self.stdout.write(f"Digest:  {written.name} ({written.cases} cases)")
        self.stdout.write(f"SHA-256: {written.sha256}")
        self.stdout.write(
            f"Chained to the digest with SHA-256 {written.previous_sha256}."
            if written.previous_sha256
            else "The first digest: there is no earlier one to chain to."
        )
