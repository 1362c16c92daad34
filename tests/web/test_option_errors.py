"""The option form reports every error in one round: its own checks and the service's
together, with what was typed kept."""

import pytest
from django.urls import reverse

from aia.models.choices import CaseState
from tests.factories import case_in_state
from tests.web.helpers import error_summary
from tests.web.test_options import OPTION

pytestmark = pytest.mark.django_db


def test_the_page_and_the_service_errors_come_in_one_round(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    response = client_for(team.official).post(
        reverse("web:option-new", kwargs={"case_id": case.pk}),
        {
            **OPTION,
            "title": "",
            "timeframe": "t" * 1001,  # refused by the form itself
            "risk_of_harm": "",
            "description": "Typed description the official must not lose.",
        },
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        "Enter the title.",
        "Choose the risk of harm.",
        "The timeframe must be 200 characters or fewer.",
    ]
    assert "Typed description the official must not lose." in response.content.decode()
    assert not case.options.exists()
