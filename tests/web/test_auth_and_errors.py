"""Signing in and out, the session timeout, the error pages and GOV.UK Frontend's assets."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from aia.models import SecurityEvent
from aia.models.choices import CaseState
from aia.permissions import is_integration_account
from tests.factories import PASSWORD, case_in_state
from tests.web.helpers import case_url, error_summary, text

pytestmark = pytest.mark.django_db


def test_pages_need_a_signed_in_user(team):
    case = case_in_state(team, CaseState.SCOPING)
    for url in (reverse("web:dashboard"), case_url(case), case_url(case, "web:review")):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign-in") + "?next=")


def test_sign_in_with_the_right_password_goes_to_the_dashboard(team):
    client = Client()
    assert client.get(reverse("web:sign-in")).status_code == 200
    response = client.post(
        reverse("web:sign-in"), {"username": "lead", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert f"Signed in as {team.lead.display_name}" in text(response)


def test_a_wrong_password_is_explained_in_the_error_summary(team):
    response = Client().post(reverse("web:sign-in"), {"username": "lead", "password": "nope"})
    assert response.status_code == 200
    assert error_summary(response) == [
        "Enter a correct username and password. Both are case-sensitive."
    ]
    assert "<title>Error: Sign in" in response.content.decode()


def test_an_integration_account_is_refused_in_the_browser_and_no_session_is_made(team):
    client = Client()
    client.get(reverse("web:sign-in"))
    security_events = SecurityEvent.objects.count()

    response = client.post(
        reverse("web:sign-in"), {"username": team.integration.username, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert error_summary(response) == [
        "This is an integration account: it can only post warnings to the API, with its token. "
        "Sign in here with your personal account."
    ]
    assert "<title>Error: Sign in" in response.content.decode()
    assert not Session.objects.exists()
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.count() == security_events  # no sign-in was recorded
    assert client.get(reverse("web:dashboard")).status_code == 302
    # The same account still posts triggers over the API with its token.
    assert is_integration_account(team.integration)
    assert not any(
        is_integration_account(user) for user in team.everyone().values() if user.username != "feed"
    )


def test_sign_out_is_a_post_and_ends_the_session(team, client_for):
    client = client_for(team.lead)
    assert client.get(reverse("web:sign-out")).status_code == 405
    response = client.post(reverse("web:sign-out"), follow=True)
    assert "You have signed out." in text(response)
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_the_session_is_an_idle_timeout():
    # Every request renews the session; it ends after SESSION_COOKIE_AGE seconds unused.
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_an_unknown_page_is_a_404_in_the_service_design(team, client_for):
    response = client_for(team.lead).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert 'href="/"' in response.content.decode()  # a way back


def test_a_conflict_page_explains_and_links_back_to_the_case(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    response = client_for(team.lead).get(case_url(case, "web:review"))
    assert response.status_code == 409
    assert "Nothing is under legal review" in text(response)
    assert case_url(case) in response.content.decode()


def test_govuk_frontend_root_relative_assets_redirect_to_the_static_files(client):
    response = client.get("/assets/fonts/bold-b542beb274-v2.woff2")
    assert response.status_code == 301
    assert response["Location"] == "/static/govuk/assets/fonts/bold-b542beb274-v2.woff2"
    assert client.get("/assets/../settings.py").status_code == 404


def test_the_layout_loads_govuk_frontend_without_inline_script(team, client_for):
    html = client_for(team.lead).get(reverse("web:dashboard")).content.decode()
    assert "/static/govuk/govuk-frontend.min.css" in html
    assert '<script type="module" src="/static/aia/app.js"></script>' in html
    assert "<script>" not in html
    assert "onclick" not in html


def test_an_unexpected_error_gets_the_service_s_500_page(team, client_for, monkeypatch):
    from aia.web.views import dashboard

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dashboard.selectors, "case_list_for_user", broken)
    client = client_for(team.lead)
    client.raise_request_exception = False
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "boom" not in body
    assert "govuk-header" in body
