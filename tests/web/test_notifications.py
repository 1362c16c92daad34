"""The in-app notification list and the email preferences."""

import pytest
from django.core import mail

from aia.models import Notification
from aia.models.choices import CaseState
from aia.services import cases as s
from tests.factories import case_in_state, committing, fill_assessment
from tests.signing_in import sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    fill_assessment(case, team.official)
    with committing():
        s.case_submit_assessment(case=case, actor=team.lead)
    return case


def test_the_legal_adviser_sees_the_hand_off_and_marks_it_read(team, client, submitted):
    sign_in_verified(client, team.legal)
    response = client.get("/notifications/")
    assert response.status_code == 200
    body = response.content.decode()
    assert submitted.reference in body
    assert "Submitted for review" in body
    assert "2 unread" in body  # assigned to the case, then the submission
    response = client.post("/notifications/", {"action": "mark-read"})
    assert response.status_code == 302
    assert not Notification.objects.filter(user=team.legal, read_at__isnull=True).exists()


def test_notifications_of_others_are_not_shown(team, client, submitted):
    sign_in_verified(client, team.other_legal)
    assert submitted.reference not in client.get("/notifications/").content.decode()


def test_turning_email_off_keeps_the_in_app_notification(team, client):
    sign_in_verified(client, team.legal)
    response = client.post("/notifications/", {"daily_digest": "on"})
    assert response.status_code == 302
    team.legal.refresh_from_db()
    assert (team.legal.email_notifications, team.legal.daily_digest) == (False, True)
    case = case_in_state(team, CaseState.ASSESSMENT)
    fill_assessment(case, team.official)
    mail.outbox.clear()
    with committing():
        s.case_submit_assessment(case=case, actor=team.lead)
    assert mail.outbox == []
    assert case.reference in client.get("/notifications/").content.decode()


def test_the_page_needs_sign_in(client):
    assert client.get("/notifications/").status_code == 302
