"""The case page's latest entries and the paginated audit trail: every entry reachable, saves
of one section by one person shown together, and only for those who may see the case."""

import datetime
import re
from html import unescape

import pytest

from aia.audit import verify_case_chain
from aia.models.choices import CaseState
from aia.web.timeline import LATEST_COUNT, PAGE_SIZE
from tests.audit_builders import section_saves, spaced
from tests.factories import case_in_state
from tests.web.helpers import case_url, text

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 12, 3, 10, 2, tzinfo=datetime.UTC)  # 10:02 UK time


def _ungrouped(case, team, count, start=MORNING):
    """Saves that never group: each one of two sections in turn."""
    return section_saves(
        case,
        [
            (team.lead, ("rf3", "rf4")[n % 2], moment)
            for n, moment in enumerate(spaced(start, count, minutes=1))
        ],
    )


def _entries(response) -> int:
    return response.content.decode().count('class="aia-timeline__event"')


def _numbers(response) -> list[int]:
    return [int(n) for n in re.findall(r"#(\d+) [0-9a-f]{12}", response.content.decode())]


def _titles(response) -> list[str]:
    html = response.content.decode()
    return [
        unescape(t).strip()
        for t in re.findall(r'<h3 class="govuk-heading-s aia-timeline__title">(.*?)</h3>', html)
    ]


def _next_link(response) -> str | None:
    match = re.search(r'href="(\?page=\d+)" rel="next"', response.content.decode())
    return match.group(1) if match else None


def test_the_case_page_shows_the_latest_entries_and_links_to_the_full_trail(team, client_for):
    case = _ungrouped(case_in_state(team, CaseState.ASSESSMENT), team, 60)
    response = client_for(team.lead).get(case_url(case))
    page = text(response)
    assert _entries(response) == LATEST_COUNT
    newest = case.event_count
    assert f"save {newest:04d}" in page
    assert f"save {newest - LATEST_COUNT + 1:04d}" in page
    assert f"save {newest - LATEST_COUNT:04d}" not in page
    assert f"Full audit trail: all {newest} entries" in page
    assert f'href="{case_url(case, "web:audit-trail")}"' in response.content.decode()
    # Working pages show no hashes: those are for whoever verifies the trail.
    assert case.last_event_hash[:12] not in response.content.decode()


def test_the_audit_trail_pages_through_every_entry_newest_first(team, client_for):
    case = _ungrouped(case_in_state(team, CaseState.ASSESSMENT), team, 2 * PAGE_SIZE + 7)
    client = client_for(team.auditor)
    url = case_url(case, "web:audit-trail")
    seen, pages = [], 0
    while url is not None and pages < 10:
        response = client.get(url)
        assert response.status_code == 200
        numbers = _numbers(response)
        assert len(numbers) <= PAGE_SIZE
        seen += numbers
        pages += 1
        link = _next_link(response)
        url = case_url(case, "web:audit-trail") + link if link else None
    assert seen == list(range(case.event_count, 0, -1))
    assert pages == -(-case.event_count // PAGE_SIZE)
    assert f"Page 1 of {pages}" in text(client.get(case_url(case, "web:audit-trail")))
    assert verify_case_chain(case) is None  # the builder kept the chain valid


def test_repeated_saves_of_a_section_are_shown_together(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    before = case.event_count
    # 12 saves by one official from 10:02 to 10:35, 3 minutes apart.
    case = section_saves(case, [(team.lead, "rf3", m) for m in spaced(MORNING, 12, minutes=3)])
    wording = "Edited “Weakness of State structures” 12 times"
    when = f"{team.lead.display_name}, between 10:02 and 10:35 on 3 December 2026"
    case_page = client_for(team.sro).get(case_url(case))
    assert wording in text(case_page)
    assert when in text(case_page)
    trail = client_for(team.sro).get(case_url(case, "web:audit-trail"))
    assert wording in text(trail)
    assert when in text(trail)
    # Grouping is display only: each save is still listed, with its place in the chain.
    assert _numbers(trail) == list(range(case.event_count, 0, -1))
    assert "Show the 12 saves" in text(trail)
    assert case.event_count == before + 12


def test_saves_are_not_grouped_across_people_sections_or_a_long_pause(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    times = iter(spaced(MORNING, 20, minutes=2))
    saves = [
        *[(team.lead, "rf3", next(times)) for _ in range(3)],  # a run of 3
        *[(team.official, "rf3", next(times)) for _ in range(2)],  # another person: 2
        *[(team.official, "rf4", next(times)) for _ in range(4)],  # another section: 4
    ]
    later = MORNING + datetime.timedelta(hours=2)  # after a pause of over 30 minutes
    saves += [(team.official, "rf4", m) for m in spaced(later, 5, minutes=1)]
    # One person's saves interleaved with another's never group.
    saves += [
        (person, "rf5", m)
        for person, m in zip(
            [team.lead, team.official] * 2,
            spaced(later + datetime.timedelta(minutes=10), 4, minutes=1),
            strict=True,
        )
    ]
    case = section_saves(case, saves)
    response = client_for(team.sro).get(case_url(case, "web:audit-trail"))
    titles = _titles(response)[:8]
    single = titles[0]
    assert "times" not in single
    assert titles == [single] * 4 + [
        "Edited “Motives or incentives” 5 times",
        "Edited “Motives or incentives” 4 times",
        "Edited “Weakness of State structures” 2 times",
        "Edited “Weakness of State structures” 3 times",
    ]


def test_a_run_cut_by_the_page_or_the_case_page_says_it_goes_on(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    case = section_saves(
        case, [(team.lead, "rf3", m) for m in spaced(MORNING, PAGE_SIZE + 10, minutes=1)]
    )
    client = client_for(team.lead)
    assert f"Edited “Weakness of State structures” {LATEST_COUNT} times" in text(
        client.get(case_url(case))
    )
    assert "Earlier saves of this section are in the full audit trail." in text(
        client.get(case_url(case))
    )
    first = text(client.get(case_url(case, "web:audit-trail")))
    assert f"{PAGE_SIZE} times" in first
    assert "Earlier saves of this section continue on the next page." in first
    second = text(client.get(case_url(case, "web:audit-trail") + "?page=2"))
    assert "Continued from the previous page" in second


def test_only_those_who_may_see_the_case_see_its_audit_trail(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    url = case_url(case, "web:audit-trail")
    for user in (team.sro, team.lead, team.official, team.legal, team.minister, team.auditor):
        assert client_for(user).get(url).status_code == 200, user.username
    for user in (team.other_official, team.other_legal, team.other_sro, team.outsider):
        response = client_for(user).get(url)
        assert response.status_code == 404, user.username
        assert case.reference not in response.content.decode()


def test_a_page_number_past_the_end_shows_the_last_page(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    response = client_for(team.lead).get(case_url(case, "web:audit-trail") + "?page=999")
    assert response.status_code == 200
    assert _numbers(response)[-1] == 1
