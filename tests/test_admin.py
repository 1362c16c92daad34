"""The admin shows everything and changes nothing that belongs to the services."""

import pytest
from django.urls import reverse

from aia.models import CaseEvent
from aia.models.choices import CaseState
from tests.factories import UserFactory, case_in_state
from tests.signing_in import sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, team):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return sign_in_verified(client, admin)


def test_admin_lists_cases_events_and_triggers(admin_client, team):
    case = case_in_state(team, CaseState.SCOPING)
    for name in ("case", "caseevent", "trigger", "section", "situation", "user"):
        response = admin_client.get(reverse(f"admin:aia_{name}_changelist"))
        assert response.status_code == 200, name
    response = admin_client.get(reverse("admin:aia_case_change", args=[case.pk]))
    assert response.status_code == 200
    assert case.reference in response.content.decode()


def test_admin_cannot_change_a_case_or_its_audit_trail(admin_client, team):
    case = case_in_state(team, CaseState.SCOPING)
    event = CaseEvent.objects.filter(case=case).first()
    before = CaseEvent.objects.count()

    response = admin_client.post(
        reverse("admin:aia_case_change", args=[case.pk]), {"title": "Renamed"}
    )
    assert response.status_code == 403
    response = admin_client.post(
        reverse("admin:aia_caseevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    response = admin_client.post(
        reverse("admin:aia_caseevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk]},
    )
    assert CaseEvent.objects.count() == before
    case.refresh_from_db()
    assert case.title != "Renamed"
    assert case.state == CaseState.SCOPING
    assert admin_client.get(reverse("admin:aia_case_add")).status_code == 403
