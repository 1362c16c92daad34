"""Check a report PDF against the SHA-256 that AIA recorded when it rendered the report (a
decision record's PDF is checked the same way).

    manage.py verify_report FILE

Exit status: 0 when a report has the file's SHA-256, 1 when none has ("NO MATCH": the file is
not a report AIA rendered, or it was changed), 2 when the file cannot be read.
"""

import datetime
import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aia.models import DecisionRecord, Report

NO_MATCH = 1
UNREADABLE = 2
_CHUNK = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Recompute a report PDF's SHA-256 and say which signed report it is: case, report "
        "number and version, status, whether it is superseded, who signed it and when."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF to check.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            digest = _sha256_file(path)
        except OSError as exc:
            raise CommandError(
                f"Cannot read {path}: {exc.strerror or exc}", returncode=UNREADABLE
            ) from exc

        out = self.stdout.write
        out(f"File:    {path}")
        out(f"SHA-256: {digest}")
        reports = list(
            Report.objects.filter(sha256=digest)
            .select_related("case", "signed_off_by", "superseded_by")
            .order_by("case__reference", "number")
        )
        records = list(
            DecisionRecord.objects.filter(sha256=digest)
            .select_related("case", "report")
            .order_by("case__reference", "number")
        )
        if not reports and not records:
            raise CommandError(
                "NO MATCH: no report or decision record rendered by AIA has this SHA-256. The "
                "file is not a signed AIA document, or it has been changed since it was "
                "rendered.",
                returncode=NO_MATCH,
            )
        for report in reports:
            self._describe(report)
        for record in records:
            self._describe_decision(record)

    def _describe_decision(self, record: DecisionRecord) -> None:
        out = self.stdout.write
        snapshot = record.snapshot
        out(self.style.SUCCESS("MATCH: this file is a decision record rendered by AIA."))
        out(f"Case:    {record.case.reference} {record.case.title}")
        out(f"Decision record: number {record.number}, {record.get_kind_display().lower()}")
        if snapshot.get("decision_label"):
            out(f"Decision: {snapshot['decision_label']}")
        out(f"By:      {snapshot['decided_by']['name']} on {_when(record.created_at)}")
        out(f"Answers: report {record.report.number}, SHA-256 {snapshot['report']['sha256']}")
        out(f"Audit chain head: event #{record.chain_sequence}, {record.chain_hash}")
        out(f"Snapshot SHA-256: {record.snapshot_hash}")

    def _describe(self, report: Report) -> None:
        out = self.stdout.write
        case = report.case
        sign_off = (report.snapshot or {}).get("sign_off") or {}
        signer = sign_off.get("signed_off_by") or {}
        out(self.style.SUCCESS("MATCH: this file is a report rendered by AIA."))
        out(f"Case:    {case.reference} {case.title}")
        out(f"Report:  number {report.number}, of case version {report.case_version}")
        out(f"Status:  {report.get_status_display()}")
        if report.superseded_at:
            by = f" by report {report.superseded_by.number}" if report.superseded_by else ""
            out(f"Superseded: yes, on {_when(report.superseded_at)}{by}")
        else:
            out("Superseded: no (the current report of the case)")
        name = signer.get("name") or report.signed_off_by.display_name
        role = signer.get("role") or "Senior Responsible Owner"
        signed_at = sign_off.get("signed_off_at")
        when = f" on {_when(datetime.datetime.fromisoformat(signed_at))}" if signed_at else ""
        out(f"Signed off by: {name} ({role}){when}")
        if report.rendered_at:
            out(f"Rendered: {_when(report.rendered_at)}, {report.page_count} pages")
        out(f"Snapshot SHA-256: {report.snapshot_hash}")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d %B %Y, %H:%M:%S %Z")
