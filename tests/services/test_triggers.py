"""Trigger intake: idempotent, joins or reopens the situation's case, refuses bad input."""

import datetime

import pytest
from django.utils import timezone

from aia.exceptions import InvalidInput, PermissionRefused
from aia.models import Case, CaseEvent, Section, Trigger
from aia.models.choices import CaseState, EventType, Track
from aia.services import cases as s
from tests.factories import case_in_state, ingest, trigger_data

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

MYANMAR = {"country_code": "MM", "name": "Myanmar — Rohingya"}


def test_first_trigger_opens_a_case_awaiting_its_team(team):
    result = ingest(actor=team.integration, data=trigger_data(situation=MYANMAR))
    case = result.case
    assert (result.created, result.outcome) == (True, "opened")
    assert case.state == CaseState.TRIGGERED
    assert case.knowledge_date == datetime.date(2024, 9, 6)
    assert case.track == Track.STANDARD
    assert case.marking == "OFFICIAL-SENSITIVE"
    # The sections are written when the team is named (tests/services/test_case_opening.py).
    assert not Section.objects.filter(case=case).exists()
    assert list(case.events.values_list("type", flat=True)) == [
        EventType.CASE_OPENED,
        EventType.TRIGGER_RECEIVED,
    ]
    assert result.trigger.received_by == team.integration


def test_replaying_a_trigger_returns_the_same_case_and_changes_nothing(team):
    data = trigger_data()
    first = ingest(actor=team.sro, data=data)
    events = CaseEvent.objects.count()
    again = ingest(actor=team.sro, data={**data, "title": "A different title"})
    assert (again.created, again.case.pk, again.trigger.pk) == (
        False,
        first.case.pk,
        first.trigger.pk,
    )
    assert Trigger.objects.count() == 1
    assert CaseEvent.objects.count() == events


def test_trigger_for_a_situation_with_an_open_case_joins_it(team):
    first = ingest(
        actor=team.sro,
        data=trigger_data(situation=MYANMAR, finding_date="2018-08-27", reference="A/HRC/39/64"),
    )
    joined = ingest(
        actor=team.sro,
        data=trigger_data(
            situation={"country_code": "mm", "name": "  myanmar —  ROHINGYA "},
            kind="icj_finding",
            instrument="provisional_measures_order",
            source_body="International Court of Justice",
            reference="The Gambia v. Myanmar, Order of 23 January 2020",
            finding_date="2020-01-23",
        ),
    )
    assert (joined.created, joined.outcome, joined.case.pk) == (True, "joined", first.case.pk)
    case = Case.objects.get(pk=first.case.pk)
    # The earliest qualifying trigger fixes the knowledge date; the ICJ order expedites.
    assert case.knowledge_date == datetime.date(2018, 8, 27)
    assert case.track == Track.EXPEDITED
    assert case.triggers.count() == 2
    assert case.events.filter(type=EventType.TRIGGER_JOINED).count() == 1


def test_an_earlier_trigger_moves_the_knowledge_date_back(team):
    first = ingest(actor=team.sro, data=trigger_data(situation=MYANMAR))
    ingest(actor=team.sro, data=trigger_data(situation=MYANMAR, finding_date="2017-01-01"))
    assert Case.objects.get(pk=first.case.pk).knowledge_date == datetime.date(2017, 1, 1)


def test_ongoing_finding_puts_the_case_on_the_expedited_track(team):
    result = ingest(actor=team.sro, data=trigger_data(finding="ongoing"))
    assert result.case.track == Track.EXPEDITED


def test_trigger_for_a_monitored_case_reopens_it_as_the_system(team):
    case = case_in_state(team, CaseState.MONITORING, situation=MYANMAR)
    result = ingest(actor=team.integration, data=trigger_data(situation=MYANMAR))
    case.refresh_from_db()
    assert (result.outcome, result.case.pk) == ("reopened", case.pk)
    assert case.state == CaseState.ASSESSMENT
    assert case.version == 2
    reopen = case.events.get(transition="reopen")
    assert reopen.actor is None
    assert "New trigger" in reopen.details["reason"]


def test_trigger_after_a_closed_case_opens_a_new_case_linked_to_it(team):
    closed = case_in_state(team, CaseState.CLOSED, situation=MYANMAR)
    result = ingest(actor=team.sro, data=trigger_data(situation=MYANMAR))
    assert result.outcome == "opened"
    assert result.case.pk != closed.pk
    assert result.case.previous_case == closed
    assert result.case.reference != closed.reference


def test_case_references_count_up_within_the_year(team):
    first = ingest(actor=team.sro, data=trigger_data()).case
    second = ingest(actor=team.sro, data=trigger_data()).case
    year = timezone.now().year
    assert first.reference == f"AIA-{year}-0001"
    assert second.reference == f"AIA-{year}-0002"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "newspaper_article"}, "kind"),
        ({"finding_date": "2999-01-01"}, "finding_date"),
        ({"finding_date": "2024-02-30"}, "finding_date"),
        ({"reference": ""}, "reference"),
        ({"reference": None}, "reference"),
        ({"finding": "rumour"}, "finding"),
        ({"crimes": ["piracy"]}, "crimes"),
        ({"crimes": "genocide"}, "crimes"),
        ({"crimes": []}, "crimes"),
        ({"source_url": "file:///etc/passwd"}, "source_url"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"title": "x" * 301}, "title"),
        ({"situation": {"country_code": "Myanmar", "name": "x"}}, "situation.country_code"),
        ({"situation": {"country_code": "MM"}}, "situation.name"),
        ({"situation": {"country_code": "ÉÉ", "name": "x"}}, "situation.country_code"),
        ({"situation": "Myanmar"}, "situation"),
        ({"priority": "urgent"}, "priority"),
        ({"title": 42}, "title"),
    ],
)
def test_bad_trigger_input_is_refused_and_changes_nothing(team, overrides, field):
    with pytest.raises(InvalidInput) as excinfo:
        ingest(actor=team.sro, data=trigger_data(**overrides))
    assert field in excinfo.value.fields, excinfo.value.fields
    assert Trigger.objects.count() == 0
    assert Case.objects.count() == 0


def test_missing_trigger_fields_are_all_reported_at_once(team):
    with pytest.raises(InvalidInput) as excinfo:
        ingest(actor=team.sro, data={})
    assert set(excinfo.value.fields) >= {
        "kind",
        "source_body",
        "reference",
        "title",
        "finding_date",
        "finding",
        "crimes",
        "situation",
    }


def test_only_accounts_allowed_to_post_triggers_can_post_them(team):
    for user in (team.outsider, team.legal, team.minister, team.auditor):
        with pytest.raises(PermissionRefused):
            ingest(actor=user, data=trigger_data())
    assert Trigger.objects.count() == 0
    for user in (team.integration, team.lead, team.sro):
        assert ingest(actor=user, data=trigger_data()).created


def test_withdrawn_case_frees_the_situation_for_a_new_case(team):
    case = ingest(actor=team.sro, data=trigger_data(situation=MYANMAR)).case
    s.case_withdraw(case=case, actor=team.sro, reason="Does not qualify.")
    again = ingest(actor=team.sro, data=trigger_data(situation=MYANMAR))
    assert again.outcome == "opened"
    assert again.case.pk != case.pk
