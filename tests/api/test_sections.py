"""GET /api/v1/cases/{id}/sections/ and GET/PATCH /api/v1/cases/{id}/sections/{code}/."""

import datetime

import pytest
from django.utils import timezone

from aia.exceptions import InvalidInput
from aia.framework import SECTION_CODES
from aia.models import CaseEvent
from aia.models.choices import CaseState
from aia.services.assessment import section_update
from tests.api.helpers import assert_envelope, db_fingerprint, field_errors, queries_for
from tests.factories import SOURCE, case_in_state, new_case

pytestmark = pytest.mark.django_db


def section_url(case, code=""):
    return f"/api/v1/cases/{case.pk}/sections/{code + '/' if code else ''}"


def test_the_list_has_all_24_sections_in_order_with_their_status(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    sections = api_for(team.auditor).get(section_url(case)).json()
    assert [s["code"] for s in sections] == list(SECTION_CODES)
    statuses = {s["code"]: s["status"] for s in sections}
    assert statuses["scope"] == "complete"
    assert statuses["rf1"] == "not_started"
    assert sections[0]["updated_by"]["username"] == "lead"
    assert all(s["title"] for s in sections)
    assert {s["kind"] for s in sections} == {"scope", "risk_factor", "footprint", "dimension"}


def test_a_case_awaiting_its_team_lists_every_section_not_started(team, api_for):
    """Its sections are written when the team is named; until then they read as untouched."""
    case = new_case(team)
    client = api_for(team.sro)
    sections = client.get(section_url(case)).json()
    assert [s["code"] for s in sections] == list(SECTION_CODES)
    assert {(s["status"], s["version"], s["updated_at"], s["updated_by"]) for s in sections} == {
        ("not_started", 1, None, None)
    }
    section = client.get(section_url(case, "rf1")).json()
    assert (section["kind"], section["status"], section["editable"]) == (
        "risk_factor",
        "not_started",
        False,
    )
    assert (section["analysis"], section["sources"]) == ("", [])


def test_the_list_takes_a_constant_number_of_queries(team, api_for):
    small_case = case_in_state(team, CaseState.SCOPING)
    large_case = case_in_state(team, CaseState.LEGAL_REVIEW)  # every section edited
    client = api_for(team.auditor)
    small, _ = queries_for(client, section_url(small_case))
    large, _ = queries_for(client, section_url(large_case))
    assert small == large


def test_reading_a_section_shows_its_content_and_whether_you_may_edit_it(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    section = api_for(team.official).get(section_url(case, "scope")).json()
    assert section["code"] == "scope"
    assert section["status"] == "complete"
    assert section["period_start"] == "2023-04-15"
    assert section["crimes_at_risk"] == ["genocide", "crimes_against_humanity", "war_crimes"]
    assert section["editable"] is True
    assert "period_start" in section["editable_fields"]
    assert api_for(team.legal).get(section_url(case, "scope")).json()["editable"] is False


def test_patching_a_section_changes_only_the_fields_sent_and_records_it(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    client = api_for(team.official)
    response = client.patch(
        section_url(case, "rf1"),
        {"rating": "present", "confidence": "low", "analysis": "Armed conflict.", "sources": []},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"  # a present factor needs a source
    response = client.patch(section_url(case, "rf1"), {"sources": [SOURCE]}, format="json")
    body = response.json()
    assert body["status"] == "complete"
    assert body["analysis"] == "Armed conflict."
    assert body["sources"] == [SOURCE]
    assert body["updated_by"]["username"] == "official"
    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert (event.type, event.details["section"], event.actor) == (
        "section_updated",
        "rf1",
        team.official,
    )


def test_patching_with_unchanged_content_records_nothing(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    client = api_for(team.official)
    client.patch(section_url(case, "rf2"), {"analysis": "Same."}, format="json")
    before = db_fingerprint()
    assert (
        client.patch(section_url(case, "rf2"), {"analysis": "Same."}, format="json").status_code
        == 200
    )
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    ("code", "body", "field"),
    [
        ("rf1", {"rating": "very"}, "rating"),
        ("rf1", {"capacity": "high"}, "capacity"),  # dimensions only
        ("rf1", {"indicators": ["99.9"]}, "indicators"),
        ("rf1", {"sources": [{"title": "", "url": "ftp://x"}]}, "sources.0.title"),
        ("rf1", {"sources": "none"}, "sources"),
        ("leverage", {"capacity": "total"}, "capacity"),
        ("scope", {"period_start": "2025-01-01", "period_end": "2024-01-01"}, "period_end"),
        ("scope", {"crimes_at_risk": ["piracy"]}, "crimes_at_risk"),
        ("uk_footprint", {"exposure": 1}, "exposure"),
    ],
)
def test_invalid_section_content_is_400_naming_the_field(team, api_for, code, body, field):
    case = case_in_state(team, CaseState.ASSESSMENT)
    before = db_fingerprint()
    response = api_for(team.official).patch(section_url(case, code), body, format="json")
    assert field in field_errors(response)
    assert db_fingerprint() == before


@pytest.mark.parametrize("who", ["legal", "sro", "auditor", "minister"])
def test_only_officials_on_the_team_may_edit(team, api_for, who):
    case = case_in_state(team, CaseState.ASSESSMENT)
    before = db_fingerprint()
    response = api_for(team.everyone()[who]).patch(
        section_url(case, "rf1"), {"analysis": "Mine."}, format="json"
    )
    assert_envelope(response, 403)
    assert db_fingerprint() == before


def test_officials_off_the_team_get_404(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    response = api_for(team.other_official).patch(
        section_url(case, "rf1"), {"analysis": "Mine."}, format="json"
    )
    assert_envelope(response, 404)


def test_sections_are_editable_only_in_their_editing_state(team, api_for):
    scoping = case_in_state(team, CaseState.SCOPING)
    review = case_in_state(team, CaseState.LEGAL_REVIEW)
    client = api_for(team.lead)
    before = db_fingerprint()
    body = assert_envelope(
        client.patch(section_url(scoping, "rf1"), {"analysis": "Early."}, format="json"), 409
    )
    assert body["extra"] == {"state": "scoping", "section": "rf1"}
    assert_envelope(
        client.patch(section_url(review, "scope"), {"analysis": "Late."}, format="json"), 409
    )
    assert db_fingerprint() == before
    # The scope is editable while scoping.
    assert (
        client.patch(section_url(scoping, "scope"), {"analysis": "Now."}, format="json").status_code
        == 200
    )


def test_an_unknown_section_code_is_404(team, api_for):
    case = new_case(team)
    assert_envelope(api_for(team.sro).get(section_url(case, "rf15")), 404)


def _days_from_today(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


START_MESSAGE = "The start of the period must be today or in the past."
SOURCE_MESSAGE = "The source date must be today or in the past."
# A section, a body carrying the date ``when``, and the field that refuses it with its message.
FUTURE_DATES = {
    "period start": ("scope", lambda when: {"period_start": when}, "period_start", START_MESSAGE),
    "whole period": (
        "scope",
        lambda when: {"period_start": when, "period_end": when},
        "period_start",
        START_MESSAGE,
    ),
    "scope source": (
        "scope",
        lambda when: {"sources": [{**SOURCE, "date": when}]},
        "sources.0.date",
        SOURCE_MESSAGE,
    ),
    "risk factor source": (
        "rf1",
        lambda when: {"sources": [SOURCE, {**SOURCE, "date": when}]},
        "sources.1.date",
        SOURCE_MESSAGE,
    ),
    "dimension source": (
        "leverage",
        lambda when: {"sources": [{**SOURCE, "date": when}]},
        "sources.0.date",
        SOURCE_MESSAGE,
    ),
}


@pytest.mark.parametrize("when", ["tomorrow", "2031-01-01", "2099-12-31"])
@pytest.mark.parametrize("date", sorted(FUTURE_DATES))
def test_dates_of_what_was_already_seen_cannot_be_in_the_future(team, api_for, date, when):
    code, body_with, field, message = FUTURE_DATES[date]
    body = body_with(_days_from_today(1) if when == "tomorrow" else when)
    case = case_in_state(team, CaseState.ASSESSMENT)
    before = db_fingerprint()
    response = api_for(team.official).patch(section_url(case, code), body, format="json")
    assert field_errors(response)[field] == [message]
    assert db_fingerprint() == before
    # The service refuses it, whoever calls it (the pages too: tests/web/test_sections.py).
    with pytest.raises(InvalidInput) as refused:
        section_update(case=case, actor=team.official, code=code, data=body)
    assert refused.value.fields == {field: [message]}
    assert db_fingerprint() == before


def test_today_is_not_the_future_and_a_period_may_end_after_it(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    today = _days_from_today(0)
    body = {
        "period_start": today,
        # The period an assessment covers runs on to the horizon of the risk it assesses.
        "period_end": _days_from_today(365),
        "sources": [{**SOURCE, "date": today}],
    }
    response = api_for(team.official).patch(section_url(case, "scope"), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["period_start"] == today
    assert response.json()["sources"][0]["date"] == today
