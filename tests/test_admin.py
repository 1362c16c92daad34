"""The admin shows everything and changes nothing that belongs to the services."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from aia.models import CaseEvent, SecurityEvent
from aia.models.choices import CaseState
from tests.factories import PASSWORD, UserFactory, case_in_state
from tests.signing_in import assert_password_changed, sign_in_verified

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


def _password_change(admin_client, user, data):
    return admin_client.post(reverse("admin:auth_user_password_change", args=[user.pk]), data)


def test_a_password_changed_in_the_admin_revokes_the_api_token_and_is_logged(admin_client, team):
    Token.objects.create(user=team.lead)
    new_password = "a quite different passphrase 7"
    response = _password_change(
        admin_client,
        team.lead,
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert_password_changed(team.lead, new_password)


def test_disabling_a_password_in_the_admin_also_revokes_the_api_token(admin_client, team):
    Token.objects.create(user=team.lead)
    response = _password_change(
        admin_client, team.lead, {"usable_password": "false", "unset-password": "1"}
    )
    assert response.status_code == 302
    assert_password_changed(team.lead, None)


def test_a_refused_password_form_in_the_admin_changes_nothing(admin_client, team):
    token = Token.objects.create(user=team.lead)
    response = _password_change(
        admin_client,
        team.lead,
        {"password1": "a quite different passphrase 7", "password2": "another one entirely 8"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    team.lead.refresh_from_db()
    assert team.lead.check_password(PASSWORD)
    assert Token.objects.filter(pk=token.pk).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()
