"""The case page: who may see it, what it shows, and exactly the transitions the user may take."""

import re

import pytest

from aia import selectors
from aia.models import Section, User
from aia.models.choices import CaseState, Marking, Role
from tests.factories import UserFactory, case_in_state
from tests.web.helpers import buttons, case_url, text

pytestmark = pytest.mark.django_db

STATES = [
    CaseState.TRIGGERED,
    CaseState.SCOPING,
    CaseState.ASSESSMENT,
    CaseState.LEGAL_REVIEW,
    CaseState.OPTIONS,
    CaseState.OPTIONS_REVIEW,
    CaseState.SIGN_OFF,
    CaseState.SIGNED_OFF,
    CaseState.WITH_MINISTER,
    CaseState.MONITORING,
    CaseState.CLOSED,
]


def test_team_and_auditor_see_the_case_others_get_404(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    uncleared = UserFactory(username="uncleared", roles=[Role.AUDITOR], clearance=Marking.OFFICIAL)
    for user in (team.sro, team.lead, team.official, team.legal, team.minister, team.auditor):
        assert client_for(user).get(case_url(case)).status_code == 200, user.username
    for user in (team.other_official, team.other_legal, team.other_sro, team.outsider, uncleared):
        response = client_for(user).get(case_url(case))
        assert response.status_code == 404, user.username
        assert case.reference not in response.content.decode()


@pytest.mark.parametrize("state", STATES)
def test_buttons_are_exactly_the_available_transitions(team, client_for, state):
    case = case_in_state(team, state)
    for user in team.everyone().values():
        response = client_for(user).get(case_url(case))
        if response.status_code == 404:
            continue
        fresh_user = User.objects.get(pk=user.pk)
        fresh_case = selectors.case_get_for_user(user=fresh_user, case_id=case.pk)
        expected = selectors.case_available_transitions(case=fresh_case, user=fresh_user)
        assert buttons(response) == expected, (state, user.username)


def test_an_official_sees_no_sign_off_button_and_is_refused_the_page(team, client_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    official = client_for(team.lead)
    assert "sign_off" not in buttons(official.get(case_url(case)))
    response = official.get(case_url(case, "web:sign-off"))
    assert response.status_code == 403
    assert "Your role on this case does not allow you to sign off the assessment." in text(response)
    assert "sign_off" in buttons(client_for(team.sro).get(case_url(case)))


def test_the_case_page_shows_summary_triggers_tasks_reviews_reports_and_timeline(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    page = text(client_for(team.sro).get(case_url(case)))
    for expected in (
        case.reference,
        case.situation.name,
        "OFFICIAL-SENSITIVE",
        "Knowledge date",
        team.lead.display_name,
        team.legal.display_name,
        "Findings of the mission",  # the trigger, linked to its source
        "(opens in new tab)",
        "24 of 24 sections complete",
        "Option on diplomacy",
        "Approved",
        "Download report 1",
        "Audit timeline",
        "Submit the signed report to the minister",  # the newest audit event
    ):
        assert expected in page, expected


def test_a_case_awaiting_its_team_lists_every_section_not_started(team, client_for):
    """Its sections are written when the team is named; the page shows them all the same."""
    case = case_in_state(team, CaseState.TRIGGERED)
    assert not Section.objects.filter(case=case).exists()
    response = client_for(team.sro).get(case_url(case))
    page = text(response)
    assert "0 of 24 sections complete" in page
    assert page.count("Not started") == 24
    response = client_for(team.sro).get(case_url(case, "web:section", code="rf1"))
    assert response.status_code == 200
    assert "Save" not in text(response)  # readable, not editable, before the team is named
    assert not Section.objects.filter(case=case).exists()


def test_a_blocked_transition_is_explained(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    page = text(client_for(team.lead).get(case_url(case)))
    assert "Start the assessment is not possible yet." in page
    assert "Complete the scope" in page


def test_record_a_dissent(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client = client_for(team.official)
    url = case_url(case, "web:dissent")
    assert client.get(url).status_code == 200
    response = client.post(url, {"stage": "assessment", "text": ""})
    assert response.status_code == 400
    assert "Enter the dissent." in text(response)
    response = client.post(
        url, {"stage": "assessment", "text": "RF9 overstates intent."}, follow=True
    )
    assert "Your dissent is recorded." in text(response)
    assert "RF9 overstates intent." in text(response)
    assert client_for(team.outsider).get(url).status_code == 404


def test_a_dissent_sent_twice_is_recorded_once(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client = client_for(team.official)
    url = case_url(case, "web:dissent")
    page = client.get(url).content.decode()
    token = re.search(r'name="submission" value="([0-9a-f]{32})"', page)[1]
    body = {"stage": "assessment", "text": "RF9 overstates intent.", "submission": token}
    assert client.post(url, body).status_code == 302
    again = client.post(url, body, follow=True)
    assert "already sent, so nothing more was saved" in text(again)
    assert case.dissents.count() == 1


def test_the_sro_changes_the_team(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    url = case_url(case, "web:team")
    assert client_for(team.lead).get(url).status_code == 403
    client = client_for(team.sro)
    page = text(client.get(url))
    assert team.other_official.display_name in page
    assert team.minister.display_name in page
    response = client.post(
        url,
        {
            "lead_official": team.lead.pk,
            "officials": [team.other_official.pk],
            "legal_adviser": team.other_legal.pk,
            "minister": team.minister.pk,
        },
        follow=True,
    )
    assert "The team is changed." in text(response)
    case.refresh_from_db()
    assert case.legal_adviser == team.other_legal
    assert list(case.officials.all()) == [team.other_official]
