"""The section editor: framework guidance, validation in the error summary, sources rows,
and read-only outside the section's editing state."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aia.models.choices import CaseState
from tests.factories import case_in_state
from tests.web.helpers import error_summary, text

pytestmark = pytest.mark.django_db


def section_url(case, code):
    return reverse("web:section", kwargs={"case_id": case.pk, "code": code})


def rf_post(**overrides):
    data = {
        "rating": "present",
        "confidence": "high",
        "indicators": ["8.1", "8.3"],
        "analysis": "Fighting for the city is the likely trigger.",
        "key_evidence": "Battle for the city.",
        "sources-TOTAL_FORMS": "2",
        "sources-INITIAL_FORMS": "0",
        "sources-0-title": "Report of the mission",
        "sources-0-url": "https://www.ohchr.org/en/test",
        "sources-0-date_0": "6",
        "sources-0-date_1": "9",
        "sources-0-date_2": "2024",
        "sources-1-title": "",
        "sources-1-url": "",
        "save_return": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def case(team):
    return case_in_state(team, CaseState.ASSESSMENT)


def test_a_risk_factor_shows_its_indicators_and_guidance(team, client_for, case):
    page = text(client_for(team.official).get(section_url(case, "rf8")))
    assert "Triggering factors" in page
    assert "Questions to answer" in page
    assert "8.12" in page
    page = text(client_for(team.official).get(section_url(case, "rf1")))
    assert "The indicators for this factor are not held in this tool." in page
    assert (
        'name="indicators"'
        not in client_for(team.official).get(section_url(case, "rf1")).content.decode()
    )


def test_saving_a_risk_factor_with_sources_and_returning_to_the_case(team, client_for, case):
    client = client_for(team.official)
    response = client.post(section_url(case, "rf8"), rf_post())
    assert response.status_code == 302
    assert response["Location"].endswith("#assessment")
    section = case.sections.get(code="rf8", version=case.version)
    assert section.rating == "present"
    assert section.indicators == ["8.1", "8.3"]
    assert section.sources == [
        {
            "title": "Report of the mission",
            "url": "https://www.ohchr.org/en/test",
            "date": "2024-09-06",
        }
    ]
    follow = client.get(response["Location"])
    assert "Triggering factors: saved." in text(follow)


def test_errors_go_to_the_error_summary_and_the_source_row(team, client_for, case):
    client = client_for(team.official)
    response = client.post(
        section_url(case, "rf8"),
        rf_post(**{"sources-0-url": "not a link", "sources-0-date_1": "13"}),
    )
    assert response.status_code == 400
    # Both problems in one round, in page order: the page's own check (the date) and the
    # service's (the link) together.
    assert error_summary(response) == [
        "Enter the source link as a full web address starting with https://.",
        "Enter the date of the source as a real date",
    ]
    response = client.post(section_url(case, "rf8"), rf_post(**{"sources-0-url": "ftp://x"}))
    assert response.status_code == 400
    assert error_summary(response) == [
        "Enter the source link as a full web address starting with https://."
    ]
    assert 'href="#id_sources-0-url"' in response.content.decode()
    assert case.sections.get(code="rf8", version=case.version).analysis == ""  # nothing saved


def test_add_another_source_and_remove_one_without_javascript(team, client_for, case):
    client = client_for(team.official)
    url = section_url(case, "rf8")
    response = client.post(url, rf_post(add_source="1", save_return=""))
    assert response.status_code == 200
    assert 'name="sources-2-title"' in response.content.decode()
    client.post(url, rf_post())
    page = client.get(url).content.decode()
    assert 'name="sources-0-remove"' in page  # a saved source can be removed
    data = rf_post(
        rating="unknown",
        **{"sources-INITIAL_FORMS": "1", "sources-0-remove": "on"},
    )
    assert client.post(url, data).status_code == 302
    assert case.sections.get(code="rf8", version=case.version).sources == []


def test_the_scope_form_takes_dates_and_crimes(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    client = client_for(team.lead)
    response = client.post(
        section_url(case, "scope"),
        {
            "period_start_0": "15",
            "period_start_1": "4",
            "period_start_2": "2023",
            "period_end_0": "1",
            "period_end_1": "1",
            "period_end_2": "2023",
            "groups_at_risk": "Civilians",
            "crimes_at_risk": ["genocide"],
            "analysis": "Scope",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "save": "1",
        },
    )
    assert response.status_code == 400
    assert error_summary(response) == ["The end of the period must be on or after its start."]


def scope_post(start, end=None, **overrides):
    """Return the scope form's data with the period from ``start`` to ``end`` (dates)."""
    data = {
        "period_start_0": str(start.day),
        "period_start_1": str(start.month),
        "period_start_2": str(start.year),
        "groups_at_risk": "Civilians",
        "crimes_at_risk": ["genocide"],
        "analysis": "Scope",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "save": "1",
    }
    if end:
        data.update(
            {
                "period_end_0": str(end.day),
                "period_end_1": str(end.month),
                "period_end_2": str(end.year),
            }
        )
    data.update(overrides)
    return data


def test_a_period_cannot_start_in_the_future(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for start in (tomorrow, datetime.date(2031, 1, 1)):
        response = client_for(team.lead).post(section_url(case, "scope"), scope_post(start))
        assert response.status_code == 400
        assert error_summary(response) == ["The start of the period must be today or in the past."]
        assert 'href="#id_period_start_0"' in response.content.decode()
    assert case.sections.get(code="scope", version=case.version).period_start is None


def test_a_period_may_start_today_and_end_after_it(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    today = timezone.localdate()
    data = scope_post(today, today + datetime.timedelta(days=365))
    assert client_for(team.lead).post(section_url(case, "scope"), data).status_code == 302
    scope = case.sections.get(code="scope", version=case.version)
    assert (scope.period_start, scope.period_end) == (today, today + datetime.timedelta(days=365))


def test_a_source_cannot_be_dated_in_the_future(team, client_for, case):
    client = client_for(team.official)
    response = client.post(section_url(case, "rf8"), rf_post(**{"sources-0-date_2": "2099"}))
    assert response.status_code == 400
    assert error_summary(response) == ["The source date must be today or in the past."]
    assert 'href="#id_sources-0-date_0"' in response.content.decode()
    assert case.sections.get(code="rf8", version=case.version).analysis == ""  # nothing saved


def test_a_section_is_read_only_outside_its_editing_state(team, client_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    client = client_for(team.official)
    response = client.get(section_url(case, "rf8"))
    assert response.status_code == 200
    page = text(response)
    assert "can be edited only while the case is at the assessment stage" in page
    assert "The case is with the legal adviser for legal review of the assessment." in page
    # No editor; the only forms left are the comments' (the team discusses a section under
    # review).
    main = response.content.decode().split('id="main-content"')[1].split("</main>")[0]
    assert 'id="section-form"' not in main
    assert re.findall(r'<form [^>]*action="([^"]*)"', main) == [
        reverse("web:comment-new", kwargs={"case_id": case.pk})
    ]
    response = client.post(section_url(case, "rf8"), rf_post())
    assert response.status_code == 409
    assert "can be edited only while the case is at the assessment stage" in text(response)


def test_only_team_officials_may_edit(team, client_for, case):
    assert "only officials on the case team can edit it" in text(
        client_for(team.legal).get(section_url(case, "rf8"))
    )
    assert client_for(team.legal).post(section_url(case, "rf8"), rf_post()).status_code == 403
    assert client_for(team.other_official).get(section_url(case, "rf8")).status_code == 404
    assert client_for(team.official).get(section_url(case, "rf99")).status_code == 404


def test_user_text_is_escaped(team, client_for, case):
    client = client_for(team.official)
    client.post(section_url(case, "rf8"), rf_post(analysis="<script>alert(1)</script>"))
    html = client.get(section_url(case, "rf8")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
