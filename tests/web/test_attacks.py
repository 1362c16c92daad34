"""Hostile input and replayed credentials: escaped, refused, and nothing changes."""

import pytest
from django.test import Client

from aia.models import Case, Section
from aia.models.choices import CaseState
from aia.services.assessment import section_update
from aia.services.options import option_create
from tests.factories import PASSWORD, case_in_state, option_data
from tests.signing_in import sign_in_verified

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQLISH = "'; DROP TABLE aia_case; --"


def test_stored_markup_and_sql_looking_text_are_shown_as_text(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    section_update(
        case=case,
        actor=team.official,
        code="rf1",
        data={"analysis": f"{XSS} {SQLISH}", "sources": [{"title": XSS}]},
    )
    client = client_for(team.lead)
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/sections/rf1/"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
    body = client.get(f"/cases/{case.pk}/sections/rf1/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "DROP TABLE aia_case" in body
    assert Case.objects.filter(pk=case.pk).exists()
    assert Section.objects.get(case=case, version=1, code="rf1").analysis.startswith("<script>")


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, team.official)
    response = client.post(
        f"/cases/{case.pk}/sections/rf1/", {"analysis": "Forged", "save": "Save"}
    )
    assert response.status_code == 403
    assert Section.objects.get(case=case, version=1, code="rf1").analysis == ""


def test_ids_of_other_cases_answer_not_found(team, client_for):
    mine = case_in_state(team, CaseState.OPTIONS)
    other_team_case = case_in_state(team, CaseState.OPTIONS)
    other_team_case.officials.clear()
    Case.objects.filter(pk=other_team_case.pk).update(lead_official=team.other_official)
    client = client_for(team.official)
    option = option_create(case=mine, actor=team.official, data=option_data("diplomacy"))
    for url in (
        f"/cases/{other_team_case.pk}/",
        f"/cases/{other_team_case.pk}/options/",
        f"/cases/{other_team_case.pk}/sections/rf1/",
        f"/cases/{other_team_case.pk}/transitions/submit_options/",
    ):
        assert client.get(url).status_code == 404, url
    # An option of the user's own case, addressed through the other case's URL.
    assert client.get(f"/cases/{mine.pk}/options/{option.pk}/").status_code == 200
    assert client.get(f"/cases/{other_team_case.pk}/options/{option.pk}/").status_code == 404


def test_a_session_cookie_reused_after_sign_out_is_refused(team):
    client = Client()
    response = client.post("/sign-in/", {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302
    cookie = client.cookies["sessionid"].value
    assert client.get("/").status_code == 200
    client.post("/sign-out/")
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get("/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_a_brute_force_sign_in_run_is_locked_out(team):
    client = Client()
    for _ in range(5):
        client.post("/sign-in/", {"username": "legal", "password": "guess"})
    response = client.post("/sign-in/", {"username": "legal", "password": PASSWORD})
    assert response.status_code == 429
    assert "You cannot sign in for now" in response.content.decode()
    assert client.get("/").status_code == 302  # still signed out
