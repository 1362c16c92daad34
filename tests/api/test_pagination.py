"""Pagination: the page's rows carry the count, so a page is one query; the answers are DRF's."""

import datetime
import zoneinfo

import pytest
from rest_framework import serializers

from aia.api.serializers import _datetime
from aia.models import Case
from tests.api.helpers import assert_envelope, queries_for
from tests.factories import new_case

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
EVENTS = "/api/v1/cases/{}/events/"
TRIGGERS = "/api/v1/triggers/"


def test_pages_count_and_link_as_drf_does(team, api_for):
    cases = [new_case(team) for _ in range(5)]
    client = api_for(team.auditor)
    pages = [client.get(CASES, {"page_size": 2, "page": n}).json() for n in (1, 2, 3)]
    assert [page["count"] for page in pages] == [5, 5, 5]
    assert [len(page["results"]) for page in pages] == [2, 2, 1]
    listed = [item["id"] for page in pages for item in page["results"]]
    assert listed == [str(case.pk) for case in reversed(cases)]
    assert pages[0]["previous"] is None
    assert pages[0]["next"].endswith("page=2&page_size=2")
    assert pages[2]["next"] is None
    last = client.get(CASES, {"page_size": 2, "page": "last"}).json()
    assert last == pages[2]
    for bad in (4, 0, -1, "two", 1.5, 43305506900850679808, 2**62):
        assert_envelope(client.get(CASES, {"page_size": 2, "page": bad}), 404)


def test_an_empty_list_is_an_empty_first_page(team, api_for):
    client = api_for(team.auditor)
    body = client.get(CASES).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}
    assert client.get(CASES, {"page": "last"}).json() == body
    assert_envelope(client.get(CASES, {"page": 2}), 404)


def test_a_page_of_cases_is_auth_and_one_query_plus_the_team(team, api_for):
    new_case(team)
    count, body = queries_for(api_for(team.auditor), CASES)
    assert body["count"] == 1
    # The token, its user's permissions, the page (whose rows carry the count), and the
    # officials; triggered cases have nobody else on their team yet.
    assert count == 4


def test_other_lists_take_their_count_from_the_page_too(team, api_for):
    case = new_case(team)
    client = api_for(team.auditor)
    body = client.get(EVENTS.format(case.pk), {"page_size": 1}).json()
    assert body["count"] == Case.objects.get(pk=case.pk).event_count == 2
    assert len(body["results"]) == 1
    assert client.get(body["next"]).json()["results"][0]["sequence"] == 2


@pytest.mark.parametrize("value", ["abc", "0", "-5", "101", "100000", "1.5", "2**8", " 5"])
def test_an_invalid_page_size_is_400_stating_the_maximum_on_every_list(team, api_for, value):
    case = new_case(team)
    client = api_for(team.auditor)
    for path in (CASES, TRIGGERS, EVENTS.format(case.pk)):
        body = assert_envelope(client.get(path, {"page_size": value}), 400)
        message = "Give page_size as a whole number from 1 to 100."
        assert body == {"message": message, "extra": {"fields": {"page_size": [message]}}}


def test_page_sizes_from_1_to_the_maximum_are_taken(team, api_for):
    for _ in range(3):
        new_case(team)
    client = api_for(team.auditor)
    assert len(client.get(CASES, {"page_size": 1}).json()["results"]) == 1
    assert len(client.get(CASES, {"page_size": 100}).json()["results"]) == 3
    # An empty value is no value, as for ``page``: the default size.
    assert client.get(CASES, {"page_size": ""}).json()["count"] == 3


def test_the_schema_states_the_page_size_limits(anon):
    schema = anon.get("/api/v1/schema/", {"format": "json"}).json()
    listed = [
        parameter["schema"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "page_size"
    ]
    assert len(listed) == 3  # cases, triggers, events
    for parameter in listed:
        assert parameter["minimum"] == 1
        assert parameter["maximum"] == 100
        assert parameter["default"] == 25


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 15, 23, 30, 5, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
        None,
    ],
)
def test_the_fast_datetime_rendering_is_drfs(moment):
    from django.utils import timezone

    assert _datetime(moment, timezone.get_current_timezone()) == (
        None if moment is None else serializers.DateTimeField().to_representation(moment)
    )
