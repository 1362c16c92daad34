"""A case driven from trigger to closure purely over HTTP, each step by the right user."""

import itertools

import pytest
from rest_framework.test import APIClient

from aia.framework import DIMENSION_CODES, RISK_FACTOR_CODES, get_framework
from aia.models import User
from aia.models.choices import CaseState
from aia.permissions import requires_second_factor
from tests.api.helpers import case_url, transition_url, url
from tests.factories import PASSWORD, SCOPE, SOURCE, committing, option_data, trigger_data
from tests.signing_in import fresh_totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def signed_in(username: str) -> APIClient:
    """Return a client carrying the token the API issues for the user's own password (and,
    for the roles that need one, the code their authenticator app shows)."""
    client = APIClient()
    body = {"username": username, "password": PASSWORD}
    user = User.objects.get(username=username)
    if requires_second_factor(user):
        body["otp"] = fresh_totp_code(user)
    response = client.post(url("auth-token"), body, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content[:800]
    return response.json()


def take(client: APIClient, case_id: str, name: str, **body) -> dict:
    data = ok(client.post(f"/api/v1/cases/{case_id}/transitions/{name}/", body, format="json"))
    return data


def test_case_goes_from_trigger_to_signed_off_report_and_closure_over_http(team):
    feed = signed_in("feed")
    sro, lead, official = signed_in("sro"), signed_in("lead"), signed_in("official")
    legal, minister, auditor = signed_in("legal"), signed_in("minister"), signed_in("auditor")

    # An early-warning system posts a trigger; replaying it changes nothing. It may not see
    # the case the trigger opens, so it is told only that the trigger was received.
    payload = trigger_data(finding="ongoing")
    opened = ok(feed.post(url("triggers"), payload, format="json"), 201)
    assert (opened["created"], opened["routed"], opened["case"]) == (True, True, None)
    replay = ok(feed.post(url("triggers"), payload, format="json"), 200)
    assert replay == {**opened, "created": False}

    # An SRO sees the new case awaiting a team and takes it on.
    listed = ok(sro.get(url("cases")))
    [case_id] = [c["id"] for c in listed["results"]]
    assert listed["results"][0]["state"] == CaseState.TRIGGERED
    detail = ok(sro.get(f"/api/v1/cases/{case_id}/"))
    assert detail["track"] == "expedited"
    assert "withdraw" in detail["available_transitions"]
    detail = take(
        sro,
        case_id,
        "assign",
        lead_official="lead",
        legal_adviser="legal",
        officials=["official"],
        minister="minister",
    )
    assert detail["state"] == CaseState.SCOPING
    assert detail["team"]["lead_official"]["username"] == "lead"
    assert [o["username"] for o in detail["team"]["officials"]] == ["official"]

    # The lead official defines the scope and starts the assessment.
    ok(lead.patch(f"/api/v1/cases/{case_id}/sections/scope/", SCOPE, format="json"))
    assert "start_assessment" in ok(lead.get(f"/api/v1/cases/{case_id}/"))["available_transitions"]
    assert take(lead, case_id, "start_assessment")["state"] == CaseState.ASSESSMENT

    # Another official completes every risk factor, the footprint and every dimension.
    framework = get_framework()
    for code in RISK_FACTOR_CODES:
        body = {
            "rating": "present",
            "confidence": "medium",
            "analysis": f"Analysis of {code}.",
            "indicators": [i.number for i in framework.section(code).indicators][:1],
            "sources": [SOURCE],
        }
        section = ok(official.patch(f"/api/v1/cases/{case_id}/sections/{code}/", body))
        assert section["status"] == "complete"
    ok(
        official.patch(
            f"/api/v1/cases/{case_id}/sections/uk_footprint/",
            {"exposure": "medium", "confidence": "high", "analysis": "Aid and trade."},
        )
    )
    for code in DIMENSION_CODES:
        ok(
            official.patch(
                f"/api/v1/cases/{case_id}/sections/{code}/",
                {"capacity": "low", "confidence": "medium", "analysis": f"UK on {code}."},
            )
        )
    sections = ok(lead.get(f"/api/v1/cases/{case_id}/sections/"))
    assert {s["status"] for s in sections} == {"complete"}
    take(lead, case_id, "submit_assessment")

    # The legal adviser approves; officials build the options register.
    assert take(legal, case_id, "approve_assessment", comment="Sound.")["state"] == "options"
    for category in ("diplomacy", "sanctions", "legal"):
        ok(official.post(f"/api/v1/cases/{case_id}/options/", option_data(category)), 201)
    ok(
        official.post(
            f"/api/v1/cases/{case_id}/option-gaps/",
            {"category": "leverage", "reason": "The UK has no leverage over the parties."},
        )
    )
    take(lead, case_id, "submit_options")
    assert take(legal, case_id, "approve_options")["state"] == CaseState.SIGN_OFF

    # The SRO signs off with their password; the report renders after the commit.
    with committing():
        signed = take(sro, case_id, "sign_off", password=PASSWORD, comment="Agreed.")
    assert signed["state"] == CaseState.SIGNED_OFF
    reports = ok(sro.get(f"/api/v1/cases/{case_id}/reports/"))
    assert [r["status"] for r in reports] == ["ready"]
    pdf = sro.get(reports[0]["pdf_url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert detail["reference"] in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    # The report goes to the minister, who decides; the SRO closes the case.
    take(sro, case_id, "submit_to_minister")
    decided = take(minister, case_id, "record_decision", decision="agreed", note="Proceed.")
    assert decided["state"] == CaseState.MONITORING
    assert decided["decision"] == "agreed"
    closed = take(sro, case_id, "close", note="The risk has receded.")
    assert closed["state"] == CaseState.CLOSED
    assert closed["available_transitions"] == []

    # The auditor reads the whole trail, in order and hash-chained.
    events = ok(auditor.get(f"/api/v1/cases/{case_id}/events/?page_size=100"))
    transitions = [e["transition"] for e in events["results"] if e["transition"]]
    assert transitions == [
        "assign",
        "start_assessment",
        "submit_assessment",
        "approve_assessment",
        "submit_options",
        "approve_options",
        "sign_off",
        "submit_to_minister",
        "record_decision",
        "close",
    ]
    results = events["results"]
    assert [e["sequence"] for e in results] == list(range(1, events["count"] + 1))
    assert all(b["previous_hash"] == a["hash"] for a, b in itertools.pairwise(results))
    assert results[0]["actor"] == "feed"


def test_lifecycle_urls_are_the_contract_paths(team):
    # The helpers the other tests use build exactly the paths of docs/architecture.md, *The
    # REST API*.
    from tests.factories import new_case

    case = new_case(team)
    assert case_url(case) == f"/api/v1/cases/{case.pk}/"
    assert transition_url(case, "assign") == f"/api/v1/cases/{case.pk}/transitions/assign/"
    assert url("triggers") == "/api/v1/triggers/"
    assert url("auth-token") == "/api/v1/auth/token/"
