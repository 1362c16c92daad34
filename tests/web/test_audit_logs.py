"""The access log of a case and the security log: recorded for everyone, shown to auditors."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aia.models import SecurityEvent
from aia.models.choices import CaseState, Marking, Role
from tests.factories import UserFactory, case_in_state

pytestmark = pytest.mark.django_db


def access_log_url(case) -> str:
    return reverse("web:access-log", kwargs={"case_id": case.pk})


def test_an_auditor_sees_who_viewed_the_case_and_opened_its_report(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    report = case.reports.get()
    assert (
        client_for(team.lead).get(reverse("web:case", kwargs={"case_id": case.pk})).status_code
        == 200
    )
    download = client_for(team.minister).get(
        reverse("web:report-download", kwargs={"report_id": report.pk})
    )
    assert download.status_code == 200

    auditor = client_for(team.auditor)
    case_page = auditor.get(reverse("web:case", kwargs={"case_id": case.pk})).content.decode()
    assert access_log_url(case) in case_page
    body = auditor.get(access_log_url(case)).content.decode()
    rows = body.split("<tbody")[1]
    # Newest first: the auditor's own view, the minister's download, the lead's view.
    assert rows.index(team.auditor.display_name) < rows.index(team.minister.display_name)
    assert rows.index(team.minister.display_name) < rows.index(team.lead.display_name)
    assert "Report downloaded (report 1)" in rows
    assert "Case page viewed" in rows


def test_the_access_log_is_for_auditors_only(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    url = access_log_url(case)
    lead_page = client_for(team.lead).get(reverse("web:case", kwargs={"case_id": case.pk}))
    assert url not in lead_page.content.decode()
    # On the team: the case is visible, the log is not theirs to read.
    for user in (team.lead, team.legal, team.sro):
        assert client_for(user).get(url).status_code == 403, user.username
    # Off the team, or not cleared for the marking: the case does not exist for them.
    uncleared = UserFactory(username="uncleared", roles=[Role.AUDITOR], clearance=Marking.OFFICIAL)
    for user in (team.outsider, team.other_official, uncleared):
        assert client_for(user).get(url).status_code == 404, user.username
    assert Client().get(url)["Location"].startswith(reverse("web:sign-in"))


def test_the_security_log_shows_failures_as_typed_and_escaped(team, client_for):
    Client().post(reverse("web:sign-in"), {"username": "<script>x()</script>", "password": "no"})
    Client().post(reverse("web:sign-in"), {"username": "lead", "password": "wrong"})
    auditor = client_for(team.auditor)
    body = auditor.get(reverse("web:security-log")).content.decode()
    assert "Sign-in failed" in body
    assert "&lt;script&gt;x()&lt;/script&gt;" in body
    assert "<script>x()" not in body

    filtered = auditor.get(reverse("web:security-log"), {"username": "lead"}).content.decode()
    rows = filtered.split("<tbody")[1]
    assert "Sign-in failed" in rows
    assert "&lt;script&gt;" not in rows


def test_the_security_log_is_paged(team, client_for):
    now = timezone.now()
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEvent.Kind.SIGN_IN_FAILED, username=f"guess{n}", at=now)
        for n in range(130)
    )
    auditor = client_for(team.auditor)
    first = auditor.get(reverse("web:security-log")).content.decode()
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    second = auditor.get(reverse("web:security-log"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    # A page number out of range shows the last page rather than failing.
    assert auditor.get(reverse("web:security-log"), {"page": "999"}).status_code == 200


def test_the_security_log_is_for_auditors_only(team, client_for):
    for user in (team.lead, team.legal, team.sro, team.minister, team.outsider):
        client = client_for(user)
        assert client.get(reverse("web:security-log")).status_code == 403, user.username
        assert "Security log" not in client.get(reverse("web:dashboard")).content.decode()
    auditor = client_for(team.auditor)
    assert "Security log" in auditor.get(reverse("web:dashboard")).content.decode()
