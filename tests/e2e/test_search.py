"""In the browser: the search box under the navigation finds a case by a word in a section,
never a case the user may not see, and its pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from aia.models.choices import CaseState
from aia.services.assessment import section_update
from tests.e2e.conftest import axe_violations
from tests.factories import case_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _search_from_the_header(page, words: str) -> None:
    page.fill("#site-search", words)
    page.click("form[role='search'] button:has-text('Search')")
    expect(page.locator("h1")).to_have_text("Search cases")


def test_search_finds_a_case_by_a_word_in_a_section_and_only_for_its_team(team, sign_in):
    case = case_in_state(team, CaseState.SCOPING)
    section_update(
        case=case,
        actor=team.lead,
        code="scope",
        data={"analysis": "Militias are massing near the Quorvath river crossing."},
    )

    page = sign_in(team.official, bypass_csp=True)
    _search_from_the_header(page, "Quorvath")
    expect(page.locator("#results")).to_have_text("1 case found")
    expect(page.locator("mark").first).to_have_text("Quorvath")
    assert axe_violations(page) == []
    page.click(f"a:has-text('{case.reference}')")
    expect(page.locator("h1")).to_contain_text(case.title)

    page.goto("/search/?q=")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a case reference")
    assert axe_violations(page) == []

    outsider = sign_in(team.other_official, bypass_csp=True)
    _search_from_the_header(outsider, "Quorvath")
    expect(outsider.locator("#results")).to_have_text("0 cases found")
    expect(outsider.locator("body")).not_to_contain_text(case.reference)
