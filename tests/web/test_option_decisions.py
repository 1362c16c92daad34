"""Every decision visible: after the minister records a decision, each recommended option shows
it on the case page and in the options register (the API: tests/api/test_options.py)."""

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from aia.models.choices import CaseState
from tests.factories import case_decided_in_part, case_in_state
from tests.web.helpers import case_url, text

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_ministers_decision_on_each_option(team, client_for):
    case, refused, agreed = case_decided_in_part(team)
    html = client_for(team.official).get(case_url(case)).content.decode()
    register = html.split('id="options"')[1].split('id="reviews"')[0]
    assert "Minister&#x27;s decision" in register or "Minister's decision" in register
    row = register.split(refused.title)[1].split("</tr>")[0]
    assert "Not agreed by the minister" in row
    for option in agreed:
        assert "Agreed by the minister" in register.split(option.title)[1].split("</tr>")[0]


def test_the_case_page_has_no_decision_column_before_the_decision(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    assert "by the minister" not in text(client_for(team.official).get(case_url(case)))


def test_the_options_register_shows_each_decision_with_the_ministers_note(team, client_for):
    case, refused, agreed = case_decided_in_part(team)
    page = client_for(team.lead).get(case_url(case, "web:options"))
    html = page.content.decode()
    card = html.split(f'id="option-{refused.pk}"')[1].split('class="govuk-summary-card"')[0]
    when = date_filter(timezone.localtime(case.decided_at), "j F Y")
    assert "Not agreed by the minister" in card
    assert f"Not agreed by {team.minister.display_name} on {when}" in " ".join(text(page).split())
    assert "Not the travel ban: it would end the talks." in card
    agreed_card = html.split(f'id="option-{agreed[0].pk}"')[1]
    assert "Agreed by the minister" in agreed_card.split('class="govuk-summary-card"')[0]
