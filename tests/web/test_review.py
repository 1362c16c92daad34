"""The legal review page: the content, what changed since the previous review, approve or
return, and the four-eyes rule explained."""

import pytest

from aia.models.choices import CaseState, Role
from aia.services import cases as case_services
from aia.services.assessment import section_update
from tests.factories import (
    UserFactory,
    case_in_state,
    committing,
    fill_assessment,
    fill_scope,
    new_case,
)
from tests.web.helpers import case_url, error_summary, text

pytestmark = pytest.mark.django_db


def test_the_first_review_shows_everything_and_approving_moves_on(team, client_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    client = client_for(team.legal)
    page = text(client.get(case_url(case, "web:review")))
    assert "This is the first review of the assessment" in page
    assert "Triggering factors" in page
    assert "Analysis of rf8." in page
    response = client.post(
        case_url(case, "web:review"),
        {"action": "approve", "approve-comment": "Sound."},
        follow=True,
    )
    assert "The assessment is approved" in text(response)
    case.refresh_from_db()
    assert case.state == CaseState.OPTIONS


def test_returning_needs_a_comment_and_the_next_review_shows_what_changed(team, client_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    legal = client_for(team.legal)
    response = legal.post(case_url(case, "web:review"), {"action": "return", "return-comment": ""})
    assert response.status_code == 400
    assert error_summary(response) == ["Enter the comment explaining what must change."]
    legal.post(case_url(case, "web:review"), {"action": "return", "return-comment": "Fix RF8."})
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT

    with committing():
        section_update(
            case=case,
            actor=team.official,
            code="rf8",
            data={"rating": "partially_present", "analysis": "Analysis of rf8, <b>revised</b>."},
        )
        case_services.case_submit_assessment(case=case, actor=team.lead)
    response = legal.get(case_url(case, "web:review"))
    page = text(response)
    assert f"Compared with what {team.legal.display_name} returned" in page
    assert "Fix RF8." in page
    assert "Changed" in page
    html = response.content.decode()
    assert "[was: Present ] → [now: Partially present ]" in page
    assert "&lt;b&gt;revised&lt;/b&gt;." in html  # user text is escaped, never marked safe
    assert html.count('govuk-tag--yellow">Changed') == 1


def test_a_legal_adviser_who_edited_a_section_cannot_approve_it(team, client_for):
    both = UserFactory(username="both", roles=[Role.OFFICIAL, Role.LEGAL_ADVISER])
    case = new_case(team)
    with committing():
        case_services.case_assign(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=both,
            officials=[both],
        )
        fill_scope(case, team.lead)
        case_services.case_start_assessment(case=case, actor=team.lead)
        fill_assessment(case, team.lead)
        section_update(case=case, actor=both, code="rf2", data={"analysis": "My own words."})
        case_services.case_submit_assessment(case=case, actor=team.lead)
    client = client_for(both)
    response = client.get(case_url(case, "web:review"))
    page = text(response)
    assert "You cannot approve this." in page
    assert "so someone else must approve it (four-eyes rule)" in page
    assert 'id="approve-form"' not in response.content.decode()
    assert 'id="return-form"' in response.content.decode()
    response = client.post(case_url(case, "web:review"), {"action": "approve"})
    assert response.status_code == 403
    assert "four-eyes rule" in text(response)
    case.refresh_from_db()
    assert case.state == CaseState.LEGAL_REVIEW


def test_the_options_review_lists_options_and_gaps(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS_REVIEW)
    page = text(client_for(team.legal).get(case_url(case, "web:review")))
    assert "Legal review of the options" in page
    assert "Sanctions: Option on sanctions" in page


def test_others_may_read_but_not_decide(team, client_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    response = client_for(team.official).get(case_url(case, "web:review"))
    assert response.status_code == 200
    assert 'id="approve-form"' not in response.content.decode()
    assert (
        client_for(team.official)
        .post(case_url(case, "web:review"), {"action": "approve"})
        .status_code
        == 403
    )
    assert client_for(team.outsider).get(case_url(case, "web:review")).status_code == 404
