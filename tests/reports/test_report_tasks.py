"""Rendering through the Celery task: once per report, reproducible, recoverable."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from aia.canonical import sha256_bytes
from aia.models.choices import CaseState, ReportStatus
from aia.services import cases as case_services
from aia.services.reports import report_requeue
from aia.tasks import report_render
from tests.factories import PASSWORD, case_in_state, committing

pytestmark = pytest.mark.django_db


def _pdfs() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_rendering_twice_keeps_one_file_and_one_hash(team):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    report = case.reports.get()
    assert report.status == ReportStatus.READY
    files = _pdfs()
    assert len(files) == 1
    first = (report.sha256, report.pdf.name, report.rendered_at, report.attempts)

    for _ in range(2):
        with committing():
            result = report_render.apply(kwargs={"report_id": str(report.pk)})
        assert result.get() == ReportStatus.READY

    report.refresh_from_db()
    assert (report.sha256, report.pdf.name, report.rendered_at, report.attempts) == first
    assert _pdfs() == files
    assert sha256_bytes(files[0].read_bytes()) == report.sha256


def test_a_failed_render_is_recorded_and_can_be_queued_again(team):
    case = case_in_state(team, CaseState.SIGN_OFF)
    with (
        mock.patch(
            "aia.reports.rendering.render_pdf", side_effect=RuntimeError("renderer exploded")
        ),
        committing(),
    ):
        case = case_services.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    report = case.reports.get()
    assert report.status == ReportStatus.FAILED
    assert "RuntimeError: renderer exploded" in report.failure_reason
    assert not report.pdf
    assert _pdfs() == []

    with committing():
        report = report_requeue(report=report, actor=team.sro)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert report.failure_reason == ""
    with report.pdf.open("rb") as handle:
        assert sha256_bytes(handle.read()) == report.sha256
