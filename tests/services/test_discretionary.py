"""An SRO's discretionary assessment, and the reporter who follows the case a warning opened
(docs/architecture.md, *Discretionary assessments* and *Need-to-know*)."""

import datetime

import pytest
from django.utils import timezone

from aia import permissions, selectors
from aia.exceptions import InvalidInput, PermissionRefused
from aia.models import Case, CaseEvent, Notification, Trigger
from aia.models.choices import CaseState, EventType, Track
from aia.services import cases as s
from aia.services.triggers import SituationName, discretionary_assessment_open, trigger_ingest
from tests.factories import case_in_state, ingest, trigger_data

pytestmark = pytest.mark.django_db

UPPER_NILE = SituationName(country_code="SS", name="Upper Nile")


def opening(**overrides):
    kwargs = {
        "situation": UPPER_NILE,
        "reason": "The embassy reports mass detentions of one community.",
        "knowledge_date": datetime.date(2025, 3, 2),
        "source_body": "British Embassy Juba",
        "title": "Embassy report on detentions",
        "finding": "serious_risk",
        "crimes": ["crimes_against_humanity"],
    }
    kwargs.update(overrides)
    return kwargs


def test_an_sro_opens_a_case_dated_as_they_say_and_the_audit_trail_keeps_why(team):
    result = discretionary_assessment_open(actor=team.sro, **opening())
    case, trigger = result.case, result.trigger
    assert (result.created, result.outcome, result.visible) == (True, "opened", True)
    assert case.state == CaseState.TRIGGERED
    assert case.knowledge_date == datetime.date(2025, 3, 2)
    assert case.track == Track.STANDARD
    assert trigger.kind == "discretionary"
    assert trigger.is_discretionary
    assert trigger.reason == "The embassy reports mass detentions of one community."
    assert trigger.received_by == team.sro
    assert trigger.reference.startswith("DISCRETIONARY-")
    received = case.events.get(type=EventType.TRIGGER_RECEIVED)
    assert received.actor == team.sro
    assert received.details["kind"] == "discretionary"
    assert received.details["reason"] == trigger.reason
    assert received.details["knowledge_date"] == "2025-03-02"
    # The SROs are told it awaits a team, as for any new case.
    assert Notification.objects.filter(user=team.other_sro, case=case).exists()


def test_only_an_sro_may_open_one(team):
    for user in (team.official, team.legal, team.minister, team.auditor, team.integration):
        with pytest.raises(PermissionRefused):
            discretionary_assessment_open(actor=user, **opening())
    # Nor through the intake service itself.
    with pytest.raises(PermissionRefused):
        trigger_ingest(
            actor=team.official,
            kind="discretionary",
            source_body="British Embassy Juba",
            reference="JUBA/1",
            title="Report",
            finding_date=datetime.date(2025, 3, 2),
            finding="serious_risk",
            crimes=["genocide"],
            situation=UPPER_NILE,
            reason="A post's report.",
        )
    assert not Trigger.objects.exists()


def test_it_needs_a_reason_and_a_date_not_in_the_future(team):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        discretionary_assessment_open(
            actor=team.sro, **opening(reason="  ", knowledge_date=tomorrow)
        )
    assert set(refused.value.fields) == {"reason", "knowledge_date"}
    assert not Case.objects.exists()


def test_it_joins_a_situation_s_open_case_and_can_move_its_knowledge_date_back(team):
    case = case_in_state(team, CaseState.SCOPING)
    situation = SituationName(case.situation.country_code, case.situation.name)
    result = discretionary_assessment_open(
        actor=team.sro,
        **opening(situation=situation, knowledge_date=datetime.date(2024, 1, 5)),
    )
    case.refresh_from_db()
    assert result.outcome == "joined"
    assert case.knowledge_date == datetime.date(2024, 1, 5)
    joined = case.events.get(type=EventType.TRIGGER_JOINED)
    assert joined.details["reason"] == "The embassy reports mass detentions of one community."


def test_the_api_cannot_post_a_discretionary_assessment(team):
    with pytest.raises(InvalidInput) as refused:
        ingest(actor=team.sro, data=trigger_data(kind="discretionary"))
    assert "kind" in refused.value.fields


# ------------------------------------------------------------------------------
# The reporter
# ------------------------------------------------------------------------------
def _sees(user, case) -> tuple[bool, bool]:
    """The predicate's answer and the list filter's, which must agree."""
    return (
        permissions.can_view_case(case, user),
        selectors.case_list_for_user(user=user).filter(pk=case.pk).exists(),
    )


def test_the_official_who_opened_a_case_sees_it_until_the_team_is_named(team):
    result = ingest(actor=team.official, data=trigger_data())
    case = result.case
    assert result.visible
    assert _sees(team.official, case) == (True, True)
    assert _sees(team.other_official, case) == (False, False)
    # Read only: no step on the case is theirs.
    assert selectors.case_available_transitions(case=case, user=team.official) == []
    assert not permissions.can_edit_content(case, team.official)
    case = s.case_assign(
        case=case, actor=team.sro, lead_official=team.lead, legal_adviser=team.legal
    )
    assert _sees(team.official, case) == (False, False)


def test_an_official_whose_warning_joined_a_case_is_no_reporter(team):
    first = ingest(actor=team.sro, data=trigger_data())
    situation = {"country_code": "SD", "name": first.case.situation.name}
    joined = ingest(actor=team.official, data=trigger_data(situation=situation))
    assert joined.outcome == "joined"
    assert _sees(team.official, first.case) == (False, False)


def test_an_integration_account_never_sees_the_case_it_opened(team):
    case = ingest(actor=team.integration, data=trigger_data()).case
    assert _sees(team.integration, case) == (False, False)


def test_a_reporter_not_cleared_for_the_marking_does_not_see_it(team):
    team.official.clearance = "OFFICIAL"
    team.official.save()
    result = ingest(actor=team.official, data=trigger_data())
    assert not result.visible
    assert _sees(team.official, result.case) == (False, False)
    assert CaseEvent.objects.filter(case=result.case).count() == 2
