"""Render the demo's signed report and write its pages as PNGs to docs/report-samples/.

    .venv/bin/python bench/report_samples.py [--resolution 60] [--out docs/report-samples]

Seeds the demo data (``manage.py seed_demo``: public-record triggers walked through the real
services) into a throwaway SQLite database, takes the report that is with the minister, and
rasterises it with poppler's ``pdftoppm``, so anyone can see what a minister receives. Also
writes the DRAFT preview's first page, for comparison.
"""

import argparse
import io
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from report_setup import ROOT, django_setup

DEFAULT_OUT = ROOT / "docs" / "report-samples"
# Only a check on a throwaway database: the demo users are deleted with it.
DEMO_PASSWORD = "report-samples-throwaway-password"  # noqa: S105


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=60, help="PNG resolution in dpi")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 2

    workdir = django_setup()
    logging.disable(logging.WARNING)

    from django.core.management import call_command

    from aia.models import Case, Report
    from aia.models.choices import CaseState, ReportStatus
    from aia.reports.rendering import html_to_pdf, render_html
    from aia.reports.snapshot import build_snapshot

    call_command("seed_demo", password=DEMO_PASSWORD, verbosity=0, stdout=io.StringIO())
    report = (
        Report.objects.select_related("case")
        .filter(
            case__state=CaseState.WITH_MINISTER,
            status=ReportStatus.READY,
            superseded_at__isnull=True,
        )
        .order_by("case__reference")
        .first()
    )
    if report is None:
        print("The demo has no report with the minister.", file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    pdf_path = Path(report.pdf.path)
    _rasterise(pdf_path, args.out / "page", args.resolution)

    # The DRAFT preview, first page only: of a case awaiting sign-off if the demo has one.
    pending = Case.objects.filter(state=CaseState.SIGN_OFF).order_by("reference").first()
    snapshot = build_snapshot(pending) if pending else report.snapshot
    draft_pdf, _ = html_to_pdf(render_html(snapshot, draft=True))
    draft_path = workdir / "draft.pdf"
    draft_path.write_bytes(draft_pdf)
    with tempfile.TemporaryDirectory() as scratch:
        _rasterise(draft_path, Path(scratch) / "draft", args.resolution, last=1)
        for png in Path(scratch).glob("*.png"):
            shutil.move(png, args.out / "draft-page-01.png")

    pngs = sorted(args.out.glob("*.png"))
    size = sum(p.stat().st_size for p in pngs)
    print(
        f"{report.case.reference} {report.case.title}: report {report.number}, "
        f"{report.page_count} pages, sha256 {report.sha256}"
    )
    print(f"Wrote {len(pngs)} PNGs ({size / 1024:.0f} KiB) to {args.out}")
    return 0


def _rasterise(pdf: Path, prefix: Path, resolution: int, last: int | None = None) -> None:
    command = ["pdftoppm", "-png", "-r", str(resolution)]
    if last:
        command += ["-f", "1", "-l", str(last)]
    subprocess.run([*command, str(pdf), str(prefix)], check=True)  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
