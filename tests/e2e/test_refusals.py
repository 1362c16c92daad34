"""Refusals in the browser: four-eyes, a role without the step, and a user without clearance."""

import pytest
from playwright.sync_api import expect

from aia.models.choices import CaseState, Marking, Role
from aia.services import cases as case_services
from tests.factories import UserFactory, case_in_state, fill_assessment, fill_scope, new_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_legal_adviser_who_edited_a_section_cannot_approve_it(team, sign_in):
    both = UserFactory(username="both", roles=[Role.OFFICIAL, Role.LEGAL_ADVISER])
    case = new_case(team)
    case_services.case_assign(
        case=case, actor=team.sro, lead_official=team.lead, legal_adviser=both, officials=[both]
    )
    fill_scope(case, team.lead)
    case_services.case_start_assessment(case=case, actor=team.lead)
    fill_assessment(case, team.lead)

    # As an official on the team, they edit a section through the page...
    page = sign_in(both)
    page.goto(f"/cases/{case.pk}/sections/rf2/")
    page.fill("#id_analysis", "My own reading of the record.")
    page.click("button:has-text('Save and return to the case')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved.")
    case_services.case_submit_assessment(case=case, actor=team.lead)

    # ...so, as the legal adviser, they may return it but not approve it, and are told why.
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("[data-transition=return_assessment]")).to_be_visible()
    expect(page.locator("[data-transition=approve_assessment]")).to_have_count(0)
    page.goto(f"/cases/{case.pk}/review/")
    expect(page.locator("#four-eyes")).to_contain_text("someone else must approve it")
    expect(page.locator("#approve-form")).to_have_count(0)
    response = page.goto(f"/cases/{case.pk}/transitions/approve_assessment/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You cannot do this")
    expect(page.locator("[data-refusal]")).to_contain_text("(four-eyes rule)")


def test_an_official_sees_no_sign_off_button(team, sign_in):
    case = case_in_state(team, CaseState.SIGN_OFF)
    page = sign_in(team.lead)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("h1")).to_have_text(case.title)
    expect(page.locator("[data-transition=sign_off]")).to_have_count(0)
    response = page.goto(f"/cases/{case.pk}/sign-off/")
    assert response.status == 403
    expect(page.locator("[data-refusal]")).to_contain_text("does not allow you to sign off")
    page.click("a:has-text('Go back to the case')")
    expect(page.locator("h1")).to_have_text(case.title)


def test_a_user_without_clearance_gets_not_found(team, sign_in):
    case = case_in_state(team, CaseState.ASSESSMENT)  # OFFICIAL-SENSITIVE
    uncleared = UserFactory(username="uncleared", roles=[Role.AUDITOR], clearance=Marking.OFFICIAL)
    page = sign_in(uncleared)
    expect(page.locator("main")).not_to_contain_text(case.reference)
    for path in ("", "sections/rf1/", "review/", "transitions/withdraw/"):
        response = page.goto(f"/cases/{case.pk}/{path}")
        assert response.status == 404, path
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text(case.reference)
