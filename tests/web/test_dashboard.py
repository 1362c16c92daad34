"""The dashboard groups the user's cases by what they must do next, and filters them."""

import re

import pytest
from django.urls import reverse

from aia.models.choices import CaseState
from tests.factories import case_in_state, new_case
from tests.web.helpers import text

pytestmark = pytest.mark.django_db


def _groups(response) -> dict[str, list[str]]:
    """Return the references listed under each group heading."""
    html = response.content.decode()
    groups = {}
    parts = re.split(r'<h2 class="govuk-heading-m" id="group-([a-z_]+)">', html)
    for key, body in zip(parts[1::2], parts[2::2], strict=True):
        groups[key] = re.findall(r">(AIA-\d{4}-\d{4})</a>", body)
    return groups


@pytest.fixture
def cases(team):
    return {
        "triggered": new_case(team),
        "assessment": case_in_state(team, CaseState.ASSESSMENT),
        "legal_review": case_in_state(team, CaseState.LEGAL_REVIEW),
        "sign_off": case_in_state(team, CaseState.SIGN_OFF),
        "with_minister": case_in_state(team, CaseState.WITH_MINISTER),
    }


def test_each_user_sees_their_cases_grouped_by_their_next_step(team, cases, client_for):
    ref = {name: case.reference for name, case in cases.items()}
    url = reverse("web:dashboard")

    sro = _groups(client_for(team.sro).get(url))
    assert sro["assign"] == [ref["triggered"]]
    assert sro["sign_off"] == [ref["sign_off"]]
    assert set(sro["other"]) == {ref["assessment"], ref["legal_review"], ref["with_minister"]}

    assert _groups(client_for(team.official).get(url))["complete"] == [ref["assessment"]]
    assert _groups(client_for(team.legal).get(url))["review"] == [ref["legal_review"]]
    assert _groups(client_for(team.minister).get(url))["decide"] == [ref["with_minister"]]
    assert _groups(client_for(team.outsider).get(url)) == {}


def test_the_dashboard_shows_state_knowledge_date_track_and_time_in_stage(team, cases, client_for):
    page = text(client_for(team.sro).get(reverse("web:dashboard")))
    assert "Awaiting sign-off" in page
    assert cases["sign_off"].knowledge_date.strftime("%-d %B %Y") in page
    assert "In this stage since" in page
    assert "Standard" in page


def test_filters_by_state_and_situation(team, cases, client_for):
    client = client_for(team.sro)
    by_state = _groups(client.get(reverse("web:dashboard"), {"state": CaseState.SIGN_OFF}))
    assert [r for refs in by_state.values() for r in refs] == [cases["sign_off"].reference]
    situation = cases["assessment"].situation_id
    by_situation = _groups(client.get(reverse("web:dashboard"), {"situation": situation}))
    assert [r for refs in by_situation.values() for r in refs] == [cases["assessment"].reference]
    nothing = client.get(reverse("web:dashboard"), {"state": CaseState.CLOSED})
    assert "No case you can see matches these filters." in text(nothing)


def _other_heading(response) -> str:
    match = re.search(
        r'id="group-other">Other cases you can see <span[^>]*>([^<]+)</span>',
        response.content.decode(),
    )
    return match.group(1) if match else ""


def test_other_cases_come_a_page_at_a_time_newest_first(team, cases, client_for, monkeypatch):
    monkeypatch.setattr("aia.web.views.dashboard.OTHER_PAGE_SIZE", 2)
    newest_first = [case.reference for case in sorted(cases.values(), key=lambda c: c.opened_at)][
        ::-1
    ]
    client = client_for(team.auditor)
    url = reverse("web:dashboard")

    pages = [client.get(url, {"page": number}) for number in (1, 2, 3)]
    assert [_groups(page)["other"] for page in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
    ]
    assert {_other_heading(page) for page in pages} == {"5 cases"}
    first = pages[0].content.decode()
    assert 'href="?page=2#group-other" rel="next"' in first
    assert "Page 1 of 3" in text(pages[0])
    middle = pages[1].content.decode()
    assert 'href="?page=1#group-other" rel="prev"' in middle
    assert 'href="?page=3#group-other" rel="next"' in middle
    # Page numbers that are not pages show the nearest page rather than an error.
    assert _groups(client.get(url, {"page": "x"}))["other"] == newest_first[0:2]
    assert _groups(client.get(url, {"page": 99}))["other"] == newest_first[4:5]


def test_what_waits_on_the_user_is_on_every_page_and_never_among_the_others(
    team, cases, client_for, monkeypatch
):
    monkeypatch.setattr("aia.web.views.dashboard.OTHER_PAGE_SIZE", 2)
    client = client_for(team.sro)
    url = reverse("web:dashboard")
    first, second = client.get(url), client.get(url, {"page": 2})
    for page in (first, second):
        groups = _groups(page)
        assert groups["assign"] == [cases["triggered"].reference]
        assert groups["sign_off"] == [cases["sign_off"].reference]
        assert _other_heading(page) == "3 cases"
    others = _groups(first)["other"] + _groups(second)["other"]
    assert sorted(others) == sorted(
        cases[name].reference for name in ("assessment", "legal_review", "with_minister")
    )


def test_the_pages_keep_the_filters(team, cases, client_for, monkeypatch):
    monkeypatch.setattr("aia.web.views.dashboard.OTHER_PAGE_SIZE", 2)
    for _ in range(2):
        new_case(team)
    response = client_for(team.auditor).get(
        reverse("web:dashboard"), {"state": CaseState.TRIGGERED}
    )
    assert _other_heading(response) == "3 cases"
    assert 'href="?state=triggered&amp;page=2#group-other" rel="next"' in response.content.decode()
