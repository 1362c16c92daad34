"""The options register editor: add, change, withdraw, and the reasons for empty categories."""

import re

import pytest
from django.urls import reverse

from aia.models.choices import CaseState
from tests.factories import case_in_state
from tests.web.helpers import error_summary, text

pytestmark = pytest.mark.django_db


def url(case, name="web:options", **kwargs):
    return reverse(name, kwargs={"case_id": case.pk, **kwargs})


OPTION = {
    "category": "sanctions",
    "title": "Designate the commanders",
    "description": "Asset freezes and travel bans.",
    "target_actors": "Commanders of armed group A",
    "lead_department": "hmt_ofsi",
    "expected_effect": "medium",
    "feasibility": "high",
    "risk_of_harm": "low",
    "mitigation": "",
    "timeframe": "Three months",
    "recommendation": "recommended",
    "rationale": "Targets those responsible.",
}


@pytest.fixture
def case(team):
    return case_in_state(team, CaseState.OPTIONS)


def test_add_change_and_withdraw_an_option(team, client_for, case):
    client = client_for(team.official)
    assert client.get(url(case, "web:option-new")).status_code == 200
    response = client.post(url(case, "web:option-new"), OPTION, follow=True)
    assert "Option 'Designate the commanders' added." in text(response)
    option = case.options.get(title="Designate the commanders")

    response = client.post(
        url(case, "web:option", option_id=option.pk), {**OPTION, "feasibility": "low"}
    )
    assert response.status_code == 302
    option.refresh_from_db()
    assert option.feasibility == "low"

    response = client.post(
        url(case, "web:option-withdraw", option_id=option.pk),
        {"reason": "Superseded by EU listing."},
        follow=True,
    )
    assert "It stays on the record." in text(response)
    option.refresh_from_db()
    assert option.withdrawn_at is not None
    assert option.withdrawal_reason == "Superseded by EU listing."
    # A withdrawn option is shown, read-only.
    assert client.get(url(case, "web:option", option_id=option.pk)).status_code == 200
    assert client.post(url(case, "web:option", option_id=option.pk), OPTION).status_code == 409


def test_option_errors_are_in_the_error_summary(team, client_for, case):
    response = client_for(team.official).post(
        url(case, "web:option-new"), {**OPTION, "title": "", "risk_of_harm": ""}
    )
    assert response.status_code == 400
    assert error_summary(response) == ["Enter the title.", "Choose the risk of harm."]
    assert 'href="#id_risk_of_harm_1"' in response.content.decode()


def test_record_the_reason_a_core_category_has_no_option(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client = client_for(team.official)
    page = text(client.get(url(case)))
    assert "Why is there no legal avenues option?" in page
    response = client.post(
        url(case),
        {"category": "legal", "gap-legal-reason": "No court has jurisdiction."},
        follow=True,
    )
    assert "Legal avenues: the reason is saved." in text(response)
    assert case.option_gaps.get(category="legal").reason == "No court has jurisdiction."


def test_the_register_is_read_only_outside_the_options_state(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS_REVIEW)
    client = client_for(team.official)
    page = text(client.get(url(case)))
    assert "can be edited only while the case is at the options stage" in page
    assert "Add an option" not in page
    assert client.get(url(case, "web:option-new")).status_code == 409
    assert client.post(url(case, "web:option-new"), OPTION).status_code == 409
    assert client_for(team.legal).get(url(case, "web:option-new")).status_code == 403


def test_an_option_form_sent_twice_adds_one_option(team, client_for, case):
    client = client_for(team.official)
    page = client.get(url(case, "web:option-new"))
    token = re.search(r'name="submission" value="([0-9a-f]{32})"', page.content.decode())[1]
    first = client.post(url(case, "web:option-new"), {**OPTION, "submission": token})
    again = client.post(url(case, "web:option-new"), {**OPTION, "submission": token}, follow=True)
    assert first.status_code == 302
    assert again.redirect_chain[0][0] == first["Location"]
    assert "already sent, so nothing more was saved" in text(again)
    assert case.options.count() == 1


def test_an_option_form_shown_again_with_errors_keeps_its_token(team, client_for, case):
    client = client_for(team.official)
    token = "0123456789abcdef0123456789abcdef"
    refused = client.post(url(case, "web:option-new"), {**OPTION, "title": "", "submission": token})
    assert refused.status_code == 400
    assert f'name="submission" value="{token}"' in refused.content.decode()
    assert (
        client.post(url(case, "web:option-new"), {**OPTION, "submission": token}).status_code == 302
    )
    assert case.options.count() == 1
