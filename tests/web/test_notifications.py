"""The in-app notifications: the count in the navigation, the page grouped by case that reads
them, and the email preferences."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aia.models import Notification
from aia.models.choices import CaseState
from aia.services import cases as s
from tests.factories import case_in_state, committing, fill_assessment
from tests.signing_in import sign_in_verified
from tests.web.helpers import text

pytestmark = pytest.mark.django_db


def _submitted(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    fill_assessment(case, team.official)
    with committing():
        s.case_submit_assessment(case=case, actor=team.lead)
    return case


@pytest.fixture
def submitted(team):
    return _submitted(team)


def _nav(client) -> str:
    """The navigation's notifications link, as read out."""
    html = client.get("/").content.decode()
    [link] = re.findall(r'href="/notifications/"[^>]*>([^<]*)</a>', html)
    return " ".join(link.split())


def test_the_legal_adviser_sees_the_hand_off_and_opening_the_page_reads_it(team, client, submitted):
    sign_in_verified(client, team.legal)
    assert _nav(client) == "Notifications (2 unread)"  # assigned to the case, then submitted

    page = text(client.get("/notifications/"))

    assert f"{submitted.reference}: {submitted.title}" in page
    assert "Submitted for review" in page
    assert "2 new since you last looked" in page
    assert page.count("New ") >= 2
    assert not Notification.objects.filter(user=team.legal, read_at__isnull=True).exists()
    assert _nav(client) == "Notifications"
    again = text(client.get("/notifications/"))
    assert "new since you last looked" not in again
    assert "Submitted for review" in again


def test_the_count_in_the_navigation_changes_as_items_arrive_and_are_read(team, client):
    sign_in_verified(client, team.legal)
    assert _nav(client) == "Notifications"
    _submitted(team)
    assert _nav(client) == "Notifications (2 unread)"
    note = Notification.objects.filter(user=team.legal).first()
    note.read_at = note.created_at
    note.save(update_fields=["read_at"])
    assert _nav(client) == "Notifications (1 unread)"
    client.post("/notifications/", {"action": "mark-read"})
    assert _nav(client) == "Notifications"
    _submitted(team)
    assert _nav(client) == "Notifications (2 unread)"


def test_the_page_groups_the_notifications_by_case_newest_case_first(team, client):
    first, second = _submitted(team), _submitted(team)
    sign_in_verified(client, team.legal)
    html = client.get("/notifications/").content.decode()
    headings = [" ".join(h.split()) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]
    assert headings[:2] == [
        f"{second.reference}: {second.title}",
        f"{first.reference}: {first.title}",
    ]
    # Each case's notifications sit under its heading, with a link to the case.
    for case in (second, first):
        section = html.split(f"{case.reference}: {case.title}", 1)[1].split("<h2", 1)[0]
        assert f'href="/cases/{case.pk}/"' in section
        assert section.count("<li") == 2


def test_mark_all_as_read_reads_what_the_page_does_not_show(team, client, submitted):
    sign_in_verified(client, team.legal)
    response = client.post("/notifications/", {"action": "mark-read"})
    assert response.status_code == 302
    assert not Notification.objects.filter(user=team.legal, read_at__isnull=True).exists()


def test_the_page_and_the_count_cost_the_same_queries_however_many_notifications(team, client):
    sign_in_verified(client, team.legal)

    def queries(url):
        Notification.objects.filter(user=team.legal).update(read_at=None)
        client.get(url)
        Notification.objects.filter(user=team.legal).update(read_at=None)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _submitted(team)
    few = {url: queries(url) for url in ("/", "/notifications/")}
    for _ in range(3):
        _submitted(team)
    assert {url: queries(url) for url in ("/", "/notifications/")} == few


def test_notifications_of_others_are_not_shown(team, client, submitted):
    sign_in_verified(client, team.other_legal)
    assert submitted.reference not in client.get("/notifications/").content.decode()
    assert _nav(client) == "Notifications"


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
