"""Each transition's confirmation page asks for its inputs and calls its service."""

import pytest

from aia.models import CaseEvent
from aia.models.choices import CaseState, Role
from tests.factories import UserFactory, case_in_state, new_case
from tests.web.helpers import case_url, error_summary, text, transition_url

pytestmark = pytest.mark.django_db


def test_assign_asks_for_the_team_from_role_holders(team, client_for):
    case = new_case(team)
    client = client_for(team.sro)
    page = client.get(transition_url(case, "assign"))
    assert page.status_code == 200
    html = page.content.decode()
    assert team.lead.display_name in html
    assert team.legal.display_name in html
    assert team.auditor.display_name not in html  # holds none of the team's roles

    response = client.post(transition_url(case, "assign"), {"marking": "OFFICIAL-SENSITIVE"})
    assert response.status_code == 400
    assert error_summary(response) == ["Choose the lead official.", "Choose the legal adviser."]

    response = client.post(
        transition_url(case, "assign"),
        {
            "lead_official": team.lead.pk,
            "officials": [team.official.pk],
            "legal_adviser": team.legal.pk,
            "minister": team.minister.pk,
            "marking": "OFFICIAL-SENSITIVE",
        },
        follow=True,
    )
    assert "The team is assigned and the case is in scoping." in text(response)
    case.refresh_from_db()
    assert case.state == CaseState.SCOPING
    assert case.sro == team.sro


def test_assign_labels_and_refuses_a_user_not_cleared_for_the_marking(team, client_for):
    case = new_case(team)
    junior = UserFactory(username="junior", roles=[Role.OFFICIAL], clearance="OFFICIAL")
    client = client_for(team.sro)
    assert "cleared to OFFICIAL only" in text(client.get(transition_url(case, "assign")))
    response = client.post(
        transition_url(case, "assign"),
        {
            "lead_official": junior.pk,
            "legal_adviser": team.legal.pk,
            "marking": "OFFICIAL-SENSITIVE",
        },
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        f"{junior.display_name} is not cleared for OFFICIAL-SENSITIVE material."
    ]


def test_a_return_needs_a_comment(team, client_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    client = client_for(team.legal)
    response = client.post(transition_url(case, "return_assessment"), {"comment": "  "})
    assert response.status_code == 400
    assert error_summary(response) == ["Enter the comment explaining what must change."]
    case.refresh_from_db()
    assert case.state == CaseState.LEGAL_REVIEW

    response = client.post(
        transition_url(case, "return_assessment"), {"comment": "Cite RF9."}, follow=True
    )
    assert "The assessment is returned to the officials." in text(response)
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT


@pytest.mark.parametrize(
    ("state", "name", "user", "data", "target"),
    [
        (
            CaseState.SIGN_OFF,
            "return_for_revision",
            "sro",
            {"comment": "Add a sanction."},
            "options",
        ),
        (CaseState.SIGNED_OFF, "submit_to_minister", "lead", {}, "with_minister"),
        (CaseState.WITH_MINISTER, "request_revision", "minister", {"comment": "More."}, "options"),
        (CaseState.MONITORING, "reopen", "sro", {"reason": "New findings."}, "assessment"),
        (CaseState.MONITORING, "close", "sro", {"note": "Risk receded."}, "closed"),
        (CaseState.OPTIONS, "withdraw", "sro", {"reason": "Overtaken."}, "withdrawn"),
    ],
)
def test_transition_pages_take_their_transition(team, client_for, state, name, user, data, target):
    case = case_in_state(team, state)
    client = client_for(getattr(team, user))
    assert client.get(transition_url(case, name)).status_code == 200
    response = client.post(transition_url(case, name), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == target
    assert CaseEvent.objects.filter(case=case, transition=name, actor=getattr(team, user)).exists()
    # The case page shows the new state (a superseded report, a closed case...).
    assert client.get(case_url(case)).status_code == 200


def test_a_transition_page_refuses_before_asking(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    # Wrong role: 403 with the reason; wrong state: 409; unknown step or case: 404.
    response = client_for(team.lead).get(transition_url(case, "close"))
    assert response.status_code == 403
    assert "Your role on this case does not allow you to close the case." in text(response)
    response = client_for(team.sro).get(transition_url(case, "close"))
    assert response.status_code == 409
    assert "You cannot close the case now: the case is at the assessment stage." in text(response)
    assert client_for(team.sro).get(transition_url(case, "explode")).status_code == 404
    assert client_for(team.outsider).get(transition_url(case, "close")).status_code == 404


def test_a_failing_guard_is_explained_on_the_confirmation_page(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)  # the scope is still empty
    response = client_for(team.lead).get(transition_url(case, "start_assessment"))
    assert response.status_code == 409
    assert "Complete the scope" in text(response)


def test_sign_off_and_record_decision_have_their_own_pages(team, client_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    response = client_for(team.sro).get(transition_url(case, "sign_off"))
    assert response.status_code == 302
    assert response["Location"] == case_url(case, "web:sign-off")
