"""The dashboard and the case page cost the same number of queries however many cases and
audit events there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aia.models.choices import CaseState
from aia.services import cases as case_services
from aia.services.assessment import section_update
from tests.audit_builders import section_saves, spaced
from tests.factories import case_in_state, new_case
from tests.web.helpers import case_url

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # warm caches that are per process, not per request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _assigned_cases(team, count):
    for _ in range(count):
        case = new_case(team)
        case_services.case_assign(
            case=case,
            actor=team.sro,
            lead_official=team.lead,
            legal_adviser=team.legal,
            officials=[team.official, team.other_official],
            minister=team.minister,
        )
        new_case(team)  # and one awaiting a team


def test_dashboard_query_count_does_not_grow_with_the_cases(team, client_for):
    url = reverse("web:dashboard")
    _assigned_cases(team, 5)
    few = {user: _queries(client_for(user), url) for user in (team.sro, team.lead, team.auditor)}
    _assigned_cases(team, 25)
    many = {user: _queries(client_for(user), url) for user in (team.sro, team.lead, team.auditor)}
    assert many == few
    # The session (read, and saved), the user, their code device and permissions; the unread
    # notifications in the navigation; the filter's situations; what waits on the user, with
    # officials; a page of the others and its count.
    assert max(few.values()) <= 14, few


def test_case_page_query_count_does_not_grow_with_the_events(team, client_for):
    quiet = case_in_state(team, CaseState.ASSESSMENT)
    busy = case_in_state(team, CaseState.ASSESSMENT)
    for round_ in range(40):
        section_update(
            case=busy, actor=team.official, code="rf3", data={"analysis": f"Draft {round_}."}
        )
    assert busy.events.count() > quiet.events.count() + 30
    for user in (team.lead, team.sro, team.auditor):
        client = client_for(user)
        assert _queries(client, case_url(busy)) == _queries(client, case_url(quiet)), user
    # The session (read, and saved), the user and their permissions; the case, its officials
    # and the access log's row; one query for each thing the page lists; the transitions'
    # guards evaluated once each, for both the buttons and the explanations of blocked steps;
    # the unread notifications.
    assert _queries(client_for(team.lead), case_url(busy)) <= 21


def _long_trail(team, saves: int):
    """A case in assessment with ``saves`` more section saves by two people on two sections."""
    case = case_in_state(team, CaseState.ASSESSMENT)
    start = datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC)
    people, codes = (team.lead, team.official), ("rf3", "rf4")
    return section_saves(
        case,
        [
            (people[n // 7 % 2], codes[n // 3 % 2], moment)
            for n, moment in enumerate(spaced(start, saves, minutes=4))
        ],
    )


def test_case_page_and_audit_trail_cost_the_same_for_20_or_2000_events(team, client_for):
    short, long = _long_trail(team, 20), _long_trail(team, 2000)
    assert long.event_count >= 2000 > 100 > short.event_count
    client = client_for(team.lead)
    for name in ("web:case", "web:audit-trail"):
        assert _queries(client, case_url(long, name)) == _queries(client, case_url(short, name))
    deep = case_url(long, "web:audit-trail") + "?page=30"
    assert _queries(client, deep) == _queries(client, case_url(short, "web:audit-trail"))
    # The session, the user and their permissions, the case, one read of the page's events, and
    # the navigation's count of unread notifications.
    assert _queries(client, case_url(long, "web:audit-trail")) <= 11
