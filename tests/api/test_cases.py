"""GET /api/v1/cases/, /api/v1/cases/{id}/ and /api/v1/cases/{id}/events/."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from aia import selectors
from aia.api.pagination import TOTAL, PageNumberPagination
from aia.api.selectors import case_list_page
from aia.api.serializers import CaseDetailSerializer, CaseListItemSerializer
from aia.models import Case
from aia.models.choices import CaseState
from tests.api.helpers import assert_envelope, queries_for
from tests.factories import case_in_state, ingest, new_case, trigger_data

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def ids(body) -> list[str]:
    return [case["id"] for case in body["results"]]


def test_the_list_shows_each_user_only_the_cases_they_may_see(team, api_for):
    assigned = case_in_state(team, CaseState.SCOPING)
    unassigned = new_case(team)
    secret = new_case(team, marking="OFFICIAL-SENSITIVE")
    team.other_sro.clearance = "OFFICIAL"
    team.other_sro.save(update_fields=["clearance"])

    def visible(user) -> set[str]:
        return set(ids(api_for(user).get(CASES).json()))

    everything = {str(assigned.pk), str(unassigned.pk), str(secret.pk)}
    assert visible(team.auditor) == everything
    assert visible(team.sro) == everything  # on the team of one; SROs see unassigned cases
    assert visible(team.lead) == {str(assigned.pk)}
    assert visible(team.minister) == {str(assigned.pk)}
    assert visible(team.other_official) == set()
    assert visible(team.outsider) == set()
    assert visible(team.other_sro) == set()  # not cleared for OFFICIAL-SENSITIVE


def test_the_list_item_carries_the_case_summary(team, api_for):
    case = case_in_state(team, CaseState.SCOPING, finding="ongoing")
    item = api_for(team.lead).get(CASES).json()["results"][0]
    assert item["id"] == str(case.pk)
    assert item["reference"] == case.reference
    assert item["state"] == "scoping"
    assert item["state_display"] == "Scoping"
    assert item["track"] == "expedited"
    assert item["marking"] == "OFFICIAL-SENSITIVE"
    assert item["knowledge_date"] == "2024-09-06"
    assert item["version"] == 1
    assert item["situation"] == {
        "id": case.situation_id,
        "country_code": "SD",
        "name": case.situation.name,
        "area": "",
    }
    assert item["team"]["lead_official"] == {"username": "lead", "name": team.lead.display_name}
    assert item["team"]["sro"]["username"] == "sro"
    assert item["team"]["officials"] == [
        {"username": "official", "name": team.official.display_name}
    ]
    deadlines = item["deadlines"]
    assert deadlines["stage_started_at"]
    assert datetime.date.fromisoformat(deadlines["stage_deadline"]) >= timezone.localdate()
    assert deadlines["working_days_left"] >= 0
    assert deadlines["overdue"] is False
    assert item["decision"] is None


def test_the_list_filters_by_state_situation_and_overdue(team, api_for):
    with time_machine.travel(datetime.datetime(2025, 1, 6, 10, tzinfo=datetime.UTC), tick=False):
        late = case_in_state(team, CaseState.SCOPING)
    triggered = new_case(team, situation={"country_code": "MM", "name": "Rakhine State"})
    client = api_for(team.auditor)
    assert ids(client.get(CASES, {"state": "scoping"}).json()) == [str(late.pk)]
    assert ids(client.get(CASES, {"state": "triggered"}).json()) == [str(triggered.pk)]
    assert ids(client.get(CASES, {"situation": "rakhine"}).json()) == [str(triggered.pk)]
    by_id = client.get(CASES, {"situation": str(late.situation_id)}).json()
    assert ids(by_id) == [str(late.pk)]
    assert ids(client.get(CASES, {"overdue": "true"}).json()) == [str(late.pk)]
    assert ids(client.get(CASES, {"overdue": "false"}).json()) == [str(triggered.pk)]
    assert client.get(CASES).json()["count"] == 2
    detail = client.get(f"{CASES}{late.pk}/").json()
    assert detail["deadlines"]["overdue"] is True
    assert detail["deadlines"]["working_days_left"] < 0


@pytest.mark.parametrize(
    "params",
    [{"state": "open"}, {"overdue": "maybe"}, {"situation": "x" * 201}],
    ids=["state", "overdue", "situation"],
)
def test_invalid_filters_are_400_naming_the_filter(team, api_for, params):
    body = assert_envelope(api_for(team.auditor).get(CASES, params), 400)
    assert set(body["extra"]["fields"]) == set(params)


def test_the_list_is_paginated_newest_first_with_a_bounded_page_size(team, api_for):
    cases = [new_case(team) for _ in range(3)]
    client = api_for(team.auditor)
    first = client.get(CASES, {"page_size": 2}).json()
    assert first["count"] == 3
    assert ids(first) == [str(c.pk) for c in reversed(cases)][:2]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert ids(second) == [str(cases[0].pk)]
    assert second["next"] is None
    too_many = assert_envelope(client.get(CASES, {"page_size": 1000}), 400)
    assert "from 1 to 100" in too_many["extra"]["fields"]["page_size"][0]
    assert_envelope(client.get(CASES, {"page": 99}), 404)
    assert_envelope(client.get(CASES, {"page": "last-but-one"}), 404)


def test_the_list_takes_a_constant_number_of_queries(team, api_for):
    counts = {}
    for user in (team.auditor, team.sro, team.lead):
        counts[user.username] = []
    for total in (2, 20):
        while Case.objects.count() < total:
            case_in_state(team, CaseState.SCOPING)
        for user in (team.auditor, team.sro, team.lead):
            count, body = queries_for(api_for(user), CASES, {"page_size": 100})
            assert body["count"] == total
            counts[user.username].append(count)
    for user, (small, large) in counts.items():
        assert small == large, (user, small, large)


def test_the_detail_has_the_contract_fields(team, api_for):
    case = case_in_state(team, CaseState.SCOPING)
    ingest(
        actor=team.sro,
        data=trigger_data(
            situation={"country_code": "SD", "name": case.situation.name},
            finding_date="2024-01-02",
        ),
    )
    detail = api_for(team.lead).get(f"{CASES}{case.pk}/").json()
    assert {
        "id",
        "reference",
        "title",
        "situation",
        "state",
        "state_display",
        "marking",
        "track",
        "knowledge_date",
        "version",
        "team",
        "triggers",
        "deadlines",
        "available_transitions",
        "opened_at",
        "signed_off_at",
        "decision",
    } <= set(detail)
    assert detail["knowledge_date"] == "2024-01-02"  # the earlier trigger's date
    assert [t["finding_date"] for t in detail["triggers"]] == ["2024-01-02", "2024-09-06"]
    assert [t["outcome"] for t in detail["triggers"]] == ["joined", "opened"]
    assert set(detail["team"]) == {"lead_official", "officials", "legal_adviser", "sro", "minister"}
    assert set(detail["deadlines"]) == {
        "stage_started_at",
        "stage_deadline",
        "working_days_left",
        "overdue",
    }


def test_available_transitions_are_those_the_requesting_user_may_take_now(team, api_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)

    def available(user) -> list[str]:
        return api_for(user).get(f"{CASES}{case.pk}/").json()["available_transitions"]

    assert sorted(available(team.legal)) == ["approve_assessment", "return_assessment"]
    assert available(team.sro) == ["withdraw"]
    assert available(team.lead) == []
    assert available(team.auditor) == []
    assert_envelope(api_for(team.other_legal).get(f"{CASES}{case.pk}/"), 404)


def test_events_are_the_audit_trail_oldest_first_and_paginated(team, api_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    client = api_for(team.auditor)
    first = client.get(f"{CASES}{case.pk}/events/", {"page_size": 2}).json()
    assert first["count"] == case.events.count()
    one, two = first["results"]
    assert (one["sequence"], one["type"], one["actor"]) == (1, "case_opened", "sro")
    assert one["previous_hash"] == "0" * 64
    assert two["previous_hash"] == one["hash"]
    assert set(one) == {
        "sequence",
        "type",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "version",
        "stage",
        "occurred_at",
        "details",
        "hash",
        "previous_hash",
    }
    everything = client.get(f"{CASES}{case.pk}/events/", {"page_size": 100}).json()["results"]
    assign = next(e for e in everything if e["transition"] == "assign")
    assert (assign["from_state"], assign["to_state"]) == ("triggered", "scoping")


def test_events_take_a_constant_number_of_queries(team, api_for):
    case = case_in_state(team, CaseState.SCOPING)
    client = api_for(team.auditor)
    small, _ = queries_for(client, f"{CASES}{case.pk}/events/", {"page_size": 100})
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    large, body = queries_for(client, f"{CASES}{case.pk}/events/", {"page_size": 100})
    assert body["count"] > 20
    assert small == large


def test_system_events_have_no_actor(team, api_for):
    case = case_in_state(team, CaseState.MONITORING)
    situation = {"country_code": "SD", "name": case.situation.name}
    ingest(actor=None, data=trigger_data(situation=situation))
    events = api_for(team.auditor).get(f"{CASES}{case.pk}/events/", {"page_size": 100}).json()
    reopen = next(e for e in events["results"] if e["transition"] == "reopen")
    assert reopen["actor"] is None


def test_the_hand_written_rendering_matches_the_declared_fields(team):
    ingest(actor=team.sro, data=trigger_data(finding="ongoing"))
    case = case_in_state(team, CaseState.MONITORING)
    case = selectors.case_queryset().get(pk=case.pk)
    assert case.officials.exists()
    assert case.decision
    generic = serializers.Serializer.to_representation(CaseListItemSerializer(), case)
    assert CaseListItemSerializer().to_representation(case) == generic
    rows, context = case_list_page(keys=[case.pk])
    assert CaseListItemSerializer(context=context).to_representation(rows[0]) == generic
    detail = CaseDetailSerializer(context={"available_transitions": ["close"]})
    assert detail.to_representation(case) == serializers.Serializer.to_representation(detail, case)


def test_each_page_loads_its_cases_in_order_with_their_count_officials_and_people(team):
    """Each viewer, filter and page: the page's cases, newest first, with the count of the
    whole list, each case's officials, and everyone on the teams."""
    for state in (CaseState.SCOPING, CaseState.ASSESSMENT, CaseState.MONITORING):
        case_in_state(team, state)
    for _ in range(3):
        new_case(team)
    new_case(team, marking="OFFICIAL")

    pages = 0
    for user in (team.auditor, team.sro, team.official, team.legal, team.other_official):
        for state in (None, CaseState.TRIGGERED):
            cases = selectors.case_list_for_user(user=user, state=state)
            expected = list(cases.order_by("-opened_at"))
            keys = cases.prefetch_related(None).values_list("pk", flat=True)
            for number, size in ((1, 2), (2, 2), (1, 25), (3, 25), ("last", 2)):
                # The page's keys and count as the list's paginator builds them.
                request = Request(APIRequestFactory().get("/", {"page": number, "page_size": size}))
                page, total = PageNumberPagination().page_keys(keys, request)
                rows, context = case_list_page(keys=page, total=total)
                last = max(1, -(-len(expected) // size))
                start = ((last if number == "last" else number) - 1) * size
                assert [case.pk for case in rows] == [c.pk for c in expected[start : start + size]]
                for case in rows:
                    if total is not None:
                        assert getattr(case, TOTAL) == len(expected)
                    officials = sorted(case.officials.values_list("pk", flat=True))
                    assert context["officials"].get(case.pk, []) == officials
                    for user_id in (*officials, case.lead_official_id, case.sro_id):
                        assert user_id is None or user_id in context["people"]
                pages += bool(rows)
    assert pages > 10


def test_a_page_of_given_keys_keeps_their_order(team):
    for _ in range(3):
        new_case(team)
    listed = list(Case.objects.order_by("opened_at").values_list("pk", flat=True))
    rows, _context = case_list_page(keys=listed)
    assert [case.pk for case in rows] == listed
