"""The dashboard groups the user's cases by what they must do next, and filters them."""

import re

import pytest
from django.urls import reverse

from aia.models.choices import CaseState
from tests.factories import case_in_state, new_case
from tests.web.helpers import text

pytestmark = pytest.mark.django_db


def _groups(response) -> dict[str, list[str]]:
    """Return the references listed under each group heading."""
    html = response.content.decode()
    groups = {}
    parts = re.split(r'<h2 class="govuk-heading-m" id="group-([a-z_]+)">', html)
    for key, body in zip(parts[1::2], parts[2::2], strict=True):
        groups[key] = re.findall(r">(AIA-\d{4}-\d{4})</a>", body)
    return groups


@pytest.fixture
def cases(team):
    return {
        "triggered": new_case(team),
        "assessment": case_in_state(team, CaseState.ASSESSMENT),
        "legal_review": case_in_state(team, CaseState.LEGAL_REVIEW),
        "sign_off": case_in_state(team, CaseState.SIGN_OFF),
        "with_minister": case_in_state(team, CaseState.WITH_MINISTER),
    }


def test_each_user_sees_their_cases_grouped_by_their_next_step(team, cases, client_for):
    ref = {name: case.reference for name, case in cases.items()}
    url = reverse("web:dashboard")

    sro = _groups(client_for(team.sro).get(url))
    assert sro["assign"] == [ref["triggered"]]
    assert sro["sign_off"] == [ref["sign_off"]]
    assert set(sro["other"]) == {ref["assessment"], ref["legal_review"], ref["with_minister"]}

    assert _groups(client_for(team.official).get(url))["complete"] == [ref["assessment"]]
    assert _groups(client_for(team.legal).get(url))["review"] == [ref["legal_review"]]
    assert _groups(client_for(team.minister).get(url))["decide"] == [ref["with_minister"]]
    assert _groups(client_for(team.outsider).get(url)) == {}


def test_the_dashboard_shows_state_knowledge_date_track_and_time_in_stage(team, cases, client_for):
    page = text(client_for(team.sro).get(reverse("web:dashboard")))
    assert "Awaiting sign-off" in page
    assert cases["sign_off"].knowledge_date.strftime("%-d %b %Y") in page
    assert "In this stage since" in page
    assert "Standard" in page


def test_filters_by_state_and_situation(team, cases, client_for):
    client = client_for(team.sro)
    by_state = _groups(client.get(reverse("web:dashboard"), {"state": CaseState.SIGN_OFF}))
    assert [r for refs in by_state.values() for r in refs] == [cases["sign_off"].reference]
    situation = cases["assessment"].situation_id
    by_situation = _groups(client.get(reverse("web:dashboard"), {"situation": situation}))
    assert [r for refs in by_situation.values() for r in refs] == [cases["assessment"].reference]
    nothing = client.get(reverse("web:dashboard"), {"state": CaseState.CLOSED})
    assert "No case you can see matches these filters." in text(nothing)
