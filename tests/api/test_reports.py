"""GET /api/v1/cases/{id}/reports/ and GET /api/v1/reports/{id}/pdf/."""

import hashlib

import pytest

from aia.models import CaseEvent
from aia.models.choices import CaseState
from aia.services import cases as case_services
from tests.api.helpers import assert_envelope, db_fingerprint
from tests.factories import PASSWORD, case_in_state, walk

pytestmark = pytest.mark.django_db


def test_reports_list_every_version_newest_first_with_a_pdf_link(team, api_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    case = case_services.case_request_revision(case=case, actor=team.minister, comment="Again.")
    case = walk(case, team, CaseState.MONITORING)
    reports = api_for(team.sro).get(f"/api/v1/cases/{case.pk}/reports/").json()
    assert [r["number"] for r in reports] == [2, 1]
    assert reports[1]["superseded_at"] is not None
    report = reports[0]
    assert report["status"] == "ready"
    assert report["pdf_url"].endswith(f"/api/v1/reports/{report['id']}/pdf/")
    assert report["pdf_url"].startswith("http")
    assert len(report["sha256"]) == 64
    assert report["page_count"] > 0
    assert report["signed_off_by"]["username"] == "sro"
    assert report["superseded_at"] is None


def test_a_ready_report_downloads_as_a_pdf_attachment(team, api_for):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    report = case.reports.get()
    response = api_for(team.legal).get(
        f"/api/v1/reports/{report.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-report-1.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == report.sha256


def test_the_minister_downloads_the_report_once_it_is_submitted(team, api_for):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    report = case.reports.get()
    url = f"/api/v1/reports/{report.pk}/pdf/"
    minister = api_for(team.minister)
    envelope = assert_envelope(minister.get(url, HTTP_ACCEPT="application/pdf"), 403)
    assert "once it is submitted" in envelope["message"]
    assert not CaseEvent.objects.filter(case=case, type="report_downloaded").exists()
    walk(case, team, CaseState.WITH_MINISTER)
    assert minister.get(url, HTTP_ACCEPT="application/pdf").status_code == 200


def test_a_report_that_is_not_ready_is_409_with_its_status(team, api_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    # Without running the on-commit callbacks, the report stays queued.
    case_services.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    report = case.reports.get()
    listed = api_for(team.sro).get(f"/api/v1/cases/{case.pk}/reports/").json()
    assert (listed[0]["status"], listed[0]["pdf_url"]) == ("queued", None)
    before = db_fingerprint()
    for accept in ("application/json", "application/pdf"):
        response = api_for(team.sro).get(f"/api/v1/reports/{report.pk}/pdf/", HTTP_ACCEPT=accept)
        assert assert_envelope(response, 409)["extra"]["status"] == "queued"
    assert db_fingerprint() == before


def test_reports_of_cases_the_user_may_not_see_are_404(team, api_for):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    report = case.reports.get()
    for who in ("outsider", "other_official", "other_minister"):
        client = api_for(team.everyone()[who])
        assert_envelope(client.get(f"/api/v1/reports/{report.pk}/pdf/"), 404)
        assert_envelope(client.get(f"/api/v1/cases/{case.pk}/reports/"), 404)


def test_each_download_is_recorded_in_the_audit_trail(team, api_for):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    report = case.reports.get()
    before = CaseEvent.objects.filter(case=case).count()
    response = api_for(team.auditor).get(f"/api/v1/reports/{report.pk}/pdf/")
    assert response.status_code == 200
    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert CaseEvent.objects.filter(case=case).count() == before + 1
    assert (event.type, event.actor, event.details["report"]) == (
        "report_downloaded",
        team.auditor,
        str(report.pk),
    )
