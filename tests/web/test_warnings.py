"""Recording a warning, and opening a discretionary assessment, in the browser."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aia.models import Case, CaseEvent, Trigger
from aia.models.choices import CaseState, EventType
from aia.services.cases import case_assign
from tests.factories import case_in_state, new_case
from tests.web.helpers import error_summary, text

pytestmark = pytest.mark.django_db

NEW = reverse("web:warning-new")
DISCRETIONARY = reverse("web:discretionary-new")


def warning(**overrides) -> dict:
    """A warning as the form posts it, for a new situation."""
    data = {
        "kind": "inquiry_finding",
        "instrument": "report",
        "source_body": "Independent International Fact-Finding Mission",
        "reference": "A/HRC/60/CRP.9",
        "title": "Findings on the western region",
        "finding_date_0": "6",
        "finding_date_1": "9",
        "finding_date_2": "2024",
        "finding": "serious_risk",
        "crimes": ["genocide", "war_crimes"],
        "groups_at_risk": "Civilians of the western region",
        "summary": "Reasonable grounds to believe that atrocity crimes are at serious risk.",
        "source_url": "https://www.ohchr.org/en/test",
        "situation": "new",
        "country_code": "sd",
        "situation_name": "Western region",
        "area": "",
        "marking": "OFFICIAL-SENSITIVE",
    }
    data.update(overrides)
    return data


def discretionary(**overrides) -> dict:
    data = {
        "reason": "The embassy reports mass detentions and killings of one community.",
        "knowledge_date_0": "2",
        "knowledge_date_1": "3",
        "knowledge_date_2": "2025",
        "source_body": "British Embassy",
        "reference": "",
        "title": "Embassy report on detentions",
        "finding": "ongoing",
        "crimes": ["crimes_against_humanity"],
        "groups_at_risk": "",
        "summary": "",
        "source_url": "",
        "situation": "new",
        "country_code": "SS",
        "situation_name": "Upper Nile",
        "area": "",
        "marking": "OFFICIAL-SENSITIVE",
    }
    data.update(overrides)
    return data


def test_the_dashboard_offers_recording_a_warning_to_officials_and_sros_only(team, client_for):
    official = text(client_for(team.official).get("/"))
    assert "Record a warning" in official
    assert "Open a discretionary assessment" not in official
    sro = text(client_for(team.sro).get("/"))
    assert "Record a warning" in sro
    assert "Open a discretionary assessment" in sro
    for user in (team.legal, team.minister, team.auditor):
        page = text(client_for(user).get("/"))
        assert "Record a warning" not in page
        assert "Open a discretionary assessment" not in page


def test_who_may_not_record_a_warning_is_refused(team, client_for):
    for user in (team.legal, team.minister, team.auditor, team.outsider):
        assert client_for(user).get(NEW).status_code == 403
        assert client_for(user).post(NEW, warning(action="save")).status_code == 403
    assert not Trigger.objects.exists()


def test_every_error_is_shown_at_once_and_what_was_typed_is_kept(team, client_for):
    data = warning(
        kind="",
        reference="",
        title="",
        finding_date_0="31",
        finding_date_1="2",
        finding="",
        crimes=[],
        source_url="ftp://example.org/report",
        situation="new",
        country_code="",
        action="check",
    )
    response = client_for(team.official).post(NEW, data)
    assert response.status_code == 400
    assert error_summary(response) == [
        "Select the kind of warning",
        "Enter their reference",
        "Enter the title",
        "Enter the date of the finding as a real date",
        "Select what it finds",
        "Select at least one crime",
        "Enter a full web address starting with https://.",
        "Enter the two-letter country code",
    ]
    html = response.content.decode()
    assert 'value="Independent International Fact-Finding Mission"' in html
    assert 'value="ftp://example.org/report"' in html
    assert "Civilians of the western region" in html
    assert not Trigger.objects.exists()


def test_a_future_finding_date_is_refused_by_the_api_s_own_rule(team, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = warning(
        finding_date_0=str(tomorrow.day),
        finding_date_1=str(tomorrow.month),
        finding_date_2=str(tomorrow.year),
        action="check",
    )
    response = client_for(team.official).post(NEW, data)
    assert error_summary(response) == ["The finding date must be today or in the past."]


def test_the_check_page_says_saving_opens_a_case_and_nothing_is_saved_yet(team, client_for):
    response = client_for(team.official).post(NEW, warning(action="check"))
    assert response.status_code == 200
    page = text(response)
    assert "Check your answers before saving" in page
    assert "No warning like this one is recorded." in page
    assert "Saving will open a new case for Western region" in page
    assert "Its knowledge date will be 6 September 2024" in page
    assert "Genocide, War crimes" in page
    assert not Trigger.objects.exists()


def test_saving_opens_a_case_the_recorder_follows_until_the_team_is_named(team, client_for):
    client = client_for(team.official)
    response = client.post(NEW, warning(action="save"))
    trigger = Trigger.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:warning-recorded", args=[trigger.pk])
    case = Case.objects.get()
    # The same intake as the API: routed, dated and written to the audit trail.
    assert trigger.received_by == team.official
    assert trigger.outcome == "opened"
    assert case.knowledge_date == datetime.date(2024, 9, 6)
    assert case.situation.country_code == "SD"
    assert list(case.events.values_list("type", flat=True)) == [
        EventType.CASE_OPENED,
        EventType.TRIGGER_RECEIVED,
    ]
    confirmation = text(client.get(response["Location"]))
    assert "Warning recorded" in confirmation
    assert f"It opened case {case.reference} for Western region" in confirmation
    assert "Until then you can follow the case, but not change it." in confirmation
    # The reporter reads the case, and can take no step on it.
    page = client.get(reverse("web:case", args=[case.pk]))
    assert page.status_code == 200
    assert 'data-transition="' not in page.content.decode()
    # Once the SRO names the team, the case is its team's alone.
    case_assign(case=case, actor=team.sro, lead_official=team.lead, legal_adviser=team.legal)
    assert client.get(reverse("web:case", args=[case.pk])).status_code == 404


def test_another_official_does_not_see_the_case_a_warning_opened(team, client_for):
    client_for(team.official).post(NEW, warning(action="save"))
    case = Case.objects.get()
    other = client_for(team.other_official)
    assert other.get(reverse("web:case", args=[case.pk])).status_code == 404
    # Nor the confirmation page of someone else's warning.
    url = reverse("web:warning-recorded", args=[Trigger.objects.get().pk])
    assert other.get(url).status_code == 404


def test_a_warning_already_recorded_is_shown_before_saving(team, client_for):
    first = new_case(team, source_body="UN Human Rights Council", reference="A/HRC/1")
    data = warning(source_body="UN Human Rights Council", reference="a/hrc/1", action="check")
    page = text(client_for(team.sro).post(NEW, data))
    assert "Possible duplicates" in page
    assert f"UN Human Rights Council, A/HRC/1: “{first.triggers.get().title}”" in page
    assert f"on case {first.reference}" in page
    # Not the very same reference (the case differs): saving records it as a new warning.
    assert "Saving will open a new case" in page


def test_the_same_warning_again_is_not_recorded_twice(team, client_for):
    new_case(team, source_body="UN Human Rights Council", reference="A/HRC/1")
    client = client_for(team.sro)
    data = warning(source_body="UN Human Rights Council", reference="A/HRC/1")
    page = text(client.post(NEW, {**data, "action": "check"}))
    assert "This warning is already recorded, so saving will not record it again" in page
    response = client.post(NEW, {**data, "action": "save"})
    assert Trigger.objects.count() == 1
    assert "Already recorded" in text(client.get(response["Location"]))


def test_a_warning_for_a_situation_with_an_open_case_says_it_will_join_it(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    data = warning(situation=str(case.situation.pk), finding_date_2="2023", action="check")
    page = text(client_for(team.lead).post(NEW, data))
    assert f"This situation has an open case, {case.reference} , with 1 warning already" in page
    assert case.triggers.get().reference in page
    assert f"Saving will add it to the open case {case.reference} and tell its team." in page
    assert "The case\u2019s knowledge date will move back to 6 September 2023." in page


def test_a_warning_for_a_monitored_case_says_it_will_reopen_it(team, client_for):
    case = case_in_state(team, CaseState.MONITORING)
    data = warning(situation=str(case.situation.pk), action="check")
    page = text(client_for(team.sro).post(NEW, data))
    assert f"Saving will reopen case {case.reference}, which is being monitored" in page


def test_a_case_the_recorder_may_not_see_is_not_named(team, client_for):
    case = case_in_state(team, CaseState.SCOPING)
    name = {"situation": "new", "country_code": case.situation.country_code}
    data = warning(**name, situation_name=case.situation.name.upper(), action="check")
    page = text(client_for(team.other_official).post(NEW, data))
    assert "This situation has an open case that you cannot see." in page
    assert case.reference not in page
    assert "Saving will add it to that case, and tell its team that you recorded it." in page


def test_change_your_answers_returns_to_the_form_as_typed(team, client_for):
    response = client_for(team.official).post(NEW, warning(action="change"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="A/HRC/60/CRP.9"' in html
    assert error_summary(response) == []


# ------------------------------------------------------------------------------
# Discretionary assessments
# ------------------------------------------------------------------------------
def test_only_an_sro_may_open_a_discretionary_assessment(team, client_for):
    for user in (team.official, team.legal, team.minister, team.auditor, team.outsider):
        assert client_for(user).get(DISCRETIONARY).status_code == 403
        response = client_for(user).post(DISCRETIONARY, {**discretionary(), "action": "save"})
        assert response.status_code == 403
    assert not Trigger.objects.exists()


def test_a_discretionary_assessment_needs_a_reason_and_a_past_date(team, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = discretionary(
        reason=" ",
        knowledge_date_0=str(tomorrow.day),
        knowledge_date_1=str(tomorrow.month),
        knowledge_date_2=str(tomorrow.year),
        source_body="",
        action="check",
    )
    response = client_for(team.sro).post(DISCRETIONARY, data)
    assert response.status_code == 400
    assert error_summary(response) == [
        "Enter why you are opening this assessment",
        "The date the UK knew of the risk must be today or in the past.",
        "Enter where the concern came from",
    ]


def test_an_sro_opens_a_discretionary_assessment_dated_as_they_say(team, client_for):
    client = client_for(team.sro)
    page = text(client.post(DISCRETIONARY, {**discretionary(), "action": "check"}))
    assert "Why you are opening it" in page
    assert "Its knowledge date will be 2 March 2025, the date you gave." in page
    submission = re.search(
        r'name="submission" value="([0-9a-f]+)"',
        client.post(DISCRETIONARY, {**discretionary(), "action": "check"}).content.decode(),
    ).group(1)
    data = {**discretionary(), "submission": submission, "action": "save"}
    response = client.post(DISCRETIONARY, data)
    # A second click sends the same form again: still one record.
    client.post(DISCRETIONARY, data)
    trigger = Trigger.objects.get()
    case = trigger.case
    assert trigger.kind == "discretionary"
    assert trigger.reason.startswith("The embassy reports")
    assert trigger.reference == f"SRO-{submission[:12].upper()}"
    assert case.knowledge_date == datetime.date(2025, 3, 2)
    assert case.track == "expedited"  # the SRO judged the crimes ongoing
    assert "Discretionary assessment opened" in text(client.get(response["Location"]))
    event = CaseEvent.objects.get(type=EventType.TRIGGER_RECEIVED)
    assert event.details["reason"] == trigger.reason
