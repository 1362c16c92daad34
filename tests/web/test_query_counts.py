"""The dashboard and the case page cost the same number of queries however many cases and
audit events there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aia.models.choices import CaseState
from aia.services import cases as case_services
from aia.services.assessment import section_update
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
    assert _queries(client_for(team.lead), case_url(busy)) <= 40
