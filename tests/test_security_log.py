"""Sign-in attempts, lockouts and sign-outs are recorded; brute force is locked out."""

import pytest
from django.contrib.auth import authenticate, login
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from aia.models import AccessRecord, SecurityEvent
from aia.models.choices import CaseState
from aia.services import security
from aia.services.reports import report_download_record
from aia.services.security import user_password_change
from tests.factories import PASSWORD, case_in_state
from tests.signing_in import assert_password_changed, sign_in_verified

pytestmark = pytest.mark.django_db


def _request(ip="203.0.113.7"):
    request = RequestFactory().post("/sign-in/", REMOTE_ADDR=ip, HTTP_USER_AGENT="pytest")
    return request


def test_failed_attempts_are_logged_and_the_sixth_is_locked_out(team):
    for _ in range(5):
        assert authenticate(_request(), username="lead", password="wrong") is None
    # Locked: even the right password is refused now.
    assert authenticate(_request(), username="lead", password=PASSWORD) is None
    kinds = list(SecurityEvent.objects.filter(username="lead").values_list("kind", flat=True))
    assert kinds.count(SecurityEvent.Kind.SIGN_IN_FAILED) >= 5
    assert SecurityEvent.Kind.LOCKED_OUT in kinds
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN_FAILED).first()
    assert (event.ip_address, event.user_agent) == ("203.0.113.7", "pytest")


def _sign_in(username, password):
    request = _request()
    SessionMiddleware(lambda r: None).process_request(request)
    user = authenticate(request, username=username, password=password)
    if user is not None:
        login(request, user)
    return user


def test_a_successful_sign_in_resets_the_count(team):
    for _ in range(4):
        assert _sign_in("legal", "wrong") is None
    assert _sign_in("legal", PASSWORD) == team.legal
    for _ in range(4):
        assert _sign_in("legal", "wrong") is None
    assert _sign_in("legal", PASSWORD) == team.legal
    assert SecurityEvent.objects.filter(kind="signed_in", user=team.legal).count() == 2


def test_the_security_and_access_logs_are_append_only(team):
    authenticate(_request(), username="lead", password="wrong")
    event = SecurityEvent.objects.get()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.all().update(username="x")
    case = case_in_state(team, CaseState.WITH_MINISTER)
    report_download_record(report=case.reports.get(), actor=team.minister, request=_request())
    record = AccessRecord.objects.get(case=case)
    assert (record.user, record.what, record.ip_address) == (
        team.minister,
        AccessRecord.What.REPORT_DOWNLOADED,
        "203.0.113.7",
    )
    with pytest.raises(PermissionError):
        AccessRecord.objects.all().delete()


def test_a_locked_out_api_client_gets_the_error_envelope(team, client):
    for _ in range(5):
        client.post(
            "/api/v1/auth/token/",
            {"username": "lead", "password": "wrong"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "lead", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["message"].startswith("Too many failed sign-in attempts")
    assert response["Retry-After"] == "900"


def test_every_case_view_is_in_the_access_log(team, client):
    from rest_framework.authtoken.models import Token

    case = case_in_state(team, CaseState.SCOPING)
    sign_in_verified(client, team.lead)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    token = Token.objects.create(user=team.auditor)
    response = client.get(f"/api/v1/cases/{case.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    records = list(AccessRecord.objects.filter(case=case).order_by("at"))
    assert [(r.user, r.what) for r in records] == [
        (team.lead, AccessRecord.What.CASE_PAGE),
        (team.auditor, AccessRecord.What.CASE_API),
    ]
    # A refused view leaves no record.
    sign_in_verified(client, team.outsider)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert AccessRecord.objects.filter(case=case).count() == 2


def test_a_password_change_revokes_the_api_token_and_is_logged(team):
    Token.objects.create(user=team.lead)
    user_password_change(user=team.lead, password="a new passphrase 7", request=_request())
    assert_password_changed(team.lead, "a new passphrase 7")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert (event.ip_address, event.user_agent) == ("203.0.113.7", "pytest")


def test_a_password_change_is_all_or_nothing(team, monkeypatch):
    token = Token.objects.create(user=team.lead)

    def broken_log(**kwargs):
        raise RuntimeError("the security log is unavailable")

    monkeypatch.setattr(security, "security_event_record", broken_log)
    with pytest.raises(RuntimeError):
        user_password_change(user=team.lead, password="a new passphrase 7")
    team.lead.refresh_from_db()
    assert team.lead.check_password(PASSWORD)
    assert Token.objects.filter(pk=token.pk).exists()
