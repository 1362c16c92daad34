"""The sign-off page (approvals, DRAFT preview, password), the minister's page and the
report's PDF, inline and as a download, each opening recorded in the audit trail."""

import base64
import hashlib
import re

import pytest
from django.urls import reverse

from aia.models import CaseEvent
from aia.models.choices import CaseState, EventType
from tests.factories import PASSWORD, case_in_state, walk
from tests.web.helpers import case_url, error_summary, text

pytestmark = pytest.mark.django_db


def test_the_sign_off_page_shows_approvals_and_the_draft(team, client_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    client = client_for(team.sro)
    response = client.get(case_url(case, "web:sign-off"))
    page = text(response)
    assert "Approvals" in page
    assert "Standing" in page
    approval = case.reviews.filter(stage="assessment", decision="approved").first()
    assert approval.reviewer.display_name in page
    # The fingerprint is for those who verify (auditors, the report), not the SRO's work.
    assert approval.content_hash[:12] not in response.content.decode()
    assert case_url(case, "web:report-preview") in response.content.decode()
    preview = client.get(case_url(case, "web:report-preview"))
    assert preview.status_code == 200
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "DRAFT" in preview.content.decode()
    assert client.get(case_url(case)).get("X-Frame-Options") == "DENY"


def test_sign_off_needs_the_right_password(team, client_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    client = client_for(team.sro)
    response = client.post(case_url(case, "web:sign-off"), {"password": ""})
    assert response.status_code == 400
    assert error_summary(response) == ["Enter your password."]
    response = client.post(case_url(case, "web:sign-off"), {"password": "wrong-password"})
    assert response.status_code == 400
    assert error_summary(response) == ["The password is not correct."]
    case.refresh_from_db()
    assert case.state == CaseState.SIGN_OFF
    response = client.post(case_url(case, "web:sign-off"), {"password": PASSWORD}, follow=True)
    assert "Signed off." in text(response)
    case.refresh_from_db()
    assert case.state == CaseState.SIGNED_OFF


def test_the_minister_reads_the_report_inline_and_downloads_it(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    report = case.reports.get()
    client = client_for(team.minister)
    page = client.get(case_url(case, "web:minister"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("web:report", kwargs={"report_id": report.pk}) in html
    assert reverse("web:report-download", kwargs={"report_id": report.pk}) in html

    inline = client.get(reverse("web:report", kwargs={"report_id": report.pk}))
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(inline.streaming_content).startswith(b"%PDF")
    download = client.get(reverse("web:report-download", kwargs={"report_id": report.pk}))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    opened = CaseEvent.objects.filter(
        case=case, type=EventType.REPORT_DOWNLOADED, actor=team.minister
    )
    assert opened.count() == 2
    assert (
        client_for(team.outsider)
        .get(reverse("web:report", kwargs={"report_id": report.pk}))
        .status_code
        == 404
    )


def test_agreed_in_part_needs_a_decision_on_each_recommended_option(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    options = list(case.options.order_by("category"))
    client = client_for(team.minister)
    response = client.post(
        case_url(case, "web:minister"),
        {"decision": "agreed_in_part", "note": "Some.", "password": PASSWORD},
    )
    assert response.status_code == 400
    assert error_summary(response) == [f"Say whether '{o.title}' is agreed." for o in options]
    data = {"decision": "agreed_in_part", "note": "Sanctions later.", "password": PASSWORD}
    for option in options:
        data[f"option_{option.pk}"] = "not_agreed" if option.category == "sanctions" else "agreed"
    response = client.post(case_url(case, "web:minister"), data, follow=True)
    assert "Your decision is recorded" in text(response)
    case.refresh_from_db()
    assert case.state == CaseState.MONITORING
    assert case.option_decisions.get(option__category="sanctions").decision == "not_agreed"


def test_only_the_cases_minister_gets_the_decision_page(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    assert client_for(team.sro).get(case_url(case, "web:minister")).status_code == 403
    assert client_for(team.other_minister).get(case_url(case, "web:minister")).status_code == 404
    signed = case_in_state(team, CaseState.SIGNED_OFF)
    assert client_for(team.minister).get(case_url(signed, "web:minister")).status_code == 409


def test_the_draft_preview_allows_only_its_own_inline_stylesheet(team, client_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    preview = client_for(team.sro).get(case_url(case, "web:report-preview"))
    policy = preview["Content-Security-Policy"]
    css = re.search(r"<style[^>]*>(.*?)</style>", preview.content.decode(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy


def test_recording_a_decision_needs_the_ministers_password(team, client_for):
    from aia.models import SecurityEvent

    case = case_in_state(team, CaseState.WITH_MINISTER)
    client = client_for(team.minister)
    for password, message in (
        ("", "Enter your password."),
        ("guess", "The password is not correct."),
    ):
        response = client.post(
            case_url(case, "web:minister"),
            {"decision": "agreed", "note": "Yes.", "password": password},
        )
        assert response.status_code == 400
        assert message in error_summary(response)
    case.refresh_from_db()
    assert case.state == CaseState.WITH_MINISTER
    assert (
        SecurityEvent.objects.filter(user=team.minister, kind="reauthentication_failed").count()
        == 2
    )
    response = client.post(
        case_url(case, "web:minister"),
        {"decision": "agreed", "note": "Yes.", "password": PASSWORD},
        follow=True,
    )
    assert "Your decision is recorded" in text(response)
    assert SecurityEvent.objects.filter(user=team.minister, kind="reauthenticated").count() == 1


def test_the_minister_reads_the_report_only_once_it_is_submitted(team, client_for):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    report = case.reports.get()
    minister = client_for(team.minister)
    for name in ("web:report", "web:report-download"):
        url = reverse(name, kwargs={"report_id": report.pk})
        assert minister.get(url).status_code == 403
        # The rest of the team reads it at once.
        assert client_for(team.lead).get(url).status_code == 200
    page = minister.get(reverse("web:case", kwargs={"case_id": case.pk})).content.decode()
    assert "You can open it once it is submitted to you." in page
    assert reverse("web:report-download", kwargs={"report_id": report.pk}) not in page

    walk(case, team, CaseState.WITH_MINISTER)
    url = reverse("web:report-download", kwargs={"report_id": report.pk})
    assert minister.get(url).status_code == 200
    page = minister.get(reverse("web:case", kwargs={"case_id": case.pk})).content.decode()
    assert url in page
