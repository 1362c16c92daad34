"""Whole-lifecycle walks through the services, as the right users."""

import pytest

from aia.models import CaseEvent
from aia.models.choices import CaseState, ReportStatus, Track
from aia.services import cases as s
from tests.factories import (
    PASSWORD,
    committing,
    fill_assessment,
    fill_options,
    fill_scope,
    ingest,
    trigger_data,
    walk,
)

pytestmark = [pytest.mark.django_db, pytest.mark.smoke, pytest.mark.real_reports]


def test_case_walks_from_trigger_to_closed(team):
    result = ingest(actor=team.integration, data=trigger_data(finding="ongoing"))
    case = result.case
    assert result.created
    assert result.outcome == "opened"
    assert case.state == CaseState.TRIGGERED
    assert case.track == Track.EXPEDITED
    assert case.reference.startswith("AIA-")

    case = s.case_assign(
        case=case,
        actor=team.sro,
        lead_official=team.lead,
        legal_adviser=team.legal,
        officials=[team.official],
        minister=team.minister,
    )
    assert case.state == CaseState.SCOPING
    fill_scope(case, team.lead)
    case = s.case_start_assessment(case=case, actor=team.lead)
    fill_assessment(case, team.official)
    case = s.case_submit_assessment(case=case, actor=team.lead)
    case = s.case_approve_assessment(case=case, actor=team.legal)
    assert case.state == CaseState.OPTIONS
    fill_options(case, team.official)
    case = s.case_submit_options(case=case, actor=team.lead)
    case = s.case_approve_options(case=case, actor=team.legal)
    with committing():
        case = s.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    assert case.state == CaseState.SIGNED_OFF
    report = case.reports.get()
    assert report.status == ReportStatus.READY
    assert report.pdf.read().startswith(b"%PDF")
    case = s.case_submit_to_minister(case=case, actor=team.sro)
    case = s.case_record_decision(
        case=case, actor=team.minister, decision="agreed", note="Go ahead."
    )
    assert case.state == CaseState.MONITORING
    case = s.case_close(case=case, actor=team.sro, note="Done.")
    assert case.state == CaseState.CLOSED

    transitions = list(
        CaseEvent.objects.filter(case=case)
        .exclude(transition="")
        .values_list("transition", flat=True)
    )
    assert transitions == [
        "assign",
        "start_assessment",
        "submit_assessment",
        "approve_assessment",
        "submit_options",
        "approve_options",
        "sign_off",
        "submit_to_minister",
        "record_decision",
        "close",
    ]


def test_case_walks_through_returns_revision_reopen_and_withdraw(team):
    case = walk(
        s_case := ingest(actor=team.sro, data=trigger_data()).case,
        team,
        CaseState.LEGAL_REVIEW,
    )
    case = s.case_return_assessment(case=case, actor=team.legal, comment="Add evidence for RF9.")
    assert case.state == CaseState.ASSESSMENT
    case = s.case_submit_assessment(case=case, actor=team.lead)
    case = walk(case, team, CaseState.OPTIONS_REVIEW)
    case = s.case_return_options(
        case=case, actor=team.legal, comment="Sanctions option needs a legal basis."
    )
    assert case.state == CaseState.OPTIONS
    case = walk(case, team, CaseState.SIGN_OFF)
    case = s.case_return_for_revision(case=case, actor=team.sro, comment="Reconsider timing.")
    assert case.state == CaseState.OPTIONS
    case = s.case_submit_options(case=case, actor=team.lead)
    case = s.case_approve_options(case=case, actor=team.legal)
    case = walk(case, team, CaseState.WITH_MINISTER)
    case = s.case_request_revision(
        case=case, actor=team.minister, comment="Add a protection option."
    )
    assert case.state == CaseState.OPTIONS
    assert case.reports.get().superseded_at is not None
    case = walk(case, team, CaseState.MONITORING)
    assert case.reports.count() == 2
    case = s.case_reopen(case=case, actor=team.sro, reason="The situation has deteriorated.")
    assert case.state == CaseState.ASSESSMENT
    assert case.version == 2
    assert case.sections.filter(version=2).count() == case.sections.filter(version=1).count()
    case = s.case_withdraw(case=case, actor=team.sro, reason="Merged into a wider assessment.")
    assert case.state == CaseState.WITHDRAWN
    assert s_case.pk == case.pk


def test_report_download_is_recorded_in_the_audit_trail(team):
    from aia.services.reports import report_download_record

    case = walk(ingest(actor=team.sro, data=trigger_data()).case, team, "with_minister")
    report = case.reports.get()
    report_download_record(report=report, actor=team.minister)
    event = case.events.get(type="report_downloaded")
    assert event.actor == team.minister
    assert event.details["sha256"] == report.sha256
