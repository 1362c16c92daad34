"""One heavily filled, hostile, signed-off case, built and rendered once for the report tests.

Building it walks every service (about 70 content edits and 40 transitions) and renders a
30-page report, so the suite shares it: the fixture builds it in a transaction that it rolls
back, and keeps only plain data (the snapshot, the PDF bytes and their extracted text).
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from aia.models.choices import ReportStatus
from tests.api.conftest import api_for  # noqa: F401 - a fixture, used by name
from tests.factories import make_team, restore_permissions_and_roles
from tests.reports.builders import hostile_content, walk_to_signed_off
from tests.reports.pdf import PageText, read_pages
from tests.web.conftest import client_for  # noqa: F401 - a fixture, used by name


@dataclass
class RenderedReport:
    report_id: str
    snapshot: dict[str, Any]
    snapshot_hash: str
    sha256: str
    pdf: bytes
    page_count: int
    pages: list[PageText]
    # Every table pdfplumber finds, in page order.
    tables: list[list[list[str | None]]]

    @property
    def body(self) -> str:
        """All page bodies (no headers or footers), joined in order."""
        return "\n".join(page.body for page in self.pages)


@pytest.fixture(scope="session")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory) -> RenderedReport:
    media = tmp_path_factory.mktemp("report-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        # A transactional test's flush can leave the tables empty, even of permissions and
        # role groups: put them back (the rollback below removes them again).
        restore_permissions_and_roles()
        # 30 options and 20 reviews, as in the benchmark, with shorter analyses.
        case = walk_to_signed_off(make_team(), hostile_content(analysis_sentences=6))
        report = case.reports.get()
        assert report.status == ReportStatus.READY, report.failure_reason
        with report.pdf.open("rb") as handle:
            pdf = handle.read()
        tables: list = []
        pages = read_pages(pdf, tables=tables)
        result = RenderedReport(
            report_id=str(report.pk),
            snapshot=report.snapshot,
            snapshot_hash=report.snapshot_hash,
            sha256=report.sha256,
            pdf=pdf,
            page_count=report.page_count,
            pages=pages,
            tables=tables,
        )
        transaction.set_rollback(True)
    return result
