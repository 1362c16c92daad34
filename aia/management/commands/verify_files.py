from django.core.management.base import BaseCommand, CommandError

from aia.exceptions import StoredFileChanged
from aia.models import Report, Source
from aia.stored_files import stored_file_open


class Command(BaseCommand):
    help = (
        "Check that every stored file (signed reports, source files) is in storage and has the "
        "SHA-256 recorded when it was stored; exit non-zero if any is missing or changed. Run "
        "it after restoring the database and the bucket: it says whether they agree."
    )

    def handle(self, *args, **options):
        broken: list[str] = []
        checked = 0
        for field_file, sha256, what in self._files():
            checked += 1
            try:
                stored_file_open(field_file, sha256=sha256, what=what).close()
            except StoredFileChanged as error:
                broken.append(what)
                problem = "missing" if "missing" in error.message else "not the file stored"
                line = f"BROKEN  {what} ({error.extra['file']}): {problem}"
                self.stdout.write(self.style.ERROR(line))
            else:
                self.stdout.write(f"OK      {what}")
        if broken:
            raise CommandError(
                f"{len(broken)} of {checked} stored files missing or changed; the first: "
                f"{broken[0]}."
            )
        self.stdout.write(self.style.SUCCESS(f"All {checked} stored files match."))

    def _files(self):
        """Each stored file with its recorded SHA-256 and words naming it, case by case."""
        reports = Report.objects.exclude(pdf="").select_related("case")
        for report in reports.order_by("case__reference", "number").iterator():
            what = f"The PDF of report {report.number} of {report.case.reference}"
            yield report.pdf, report.sha256, what
        sources = Source.objects.exclude(file="").select_related("case")
        for source in sources.order_by("case__reference", "pk").iterator():
            what = f"The file of source {source.title!r} of {source.case.reference}"
            yield source.file, source.sha256, what
