"""In the browser: the unread count in the navigation falls as notifications are read, and an
integration account is turned away from the sign-in page."""

import pytest
from playwright.sync_api import expect

from aia.models.choices import CaseState
from aia.services import cases as case_services
from tests.e2e.conftest import VIEWPORT, axe_violations
from tests.factories import PASSWORD, case_in_state, fill_assessment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAV_LINK = "nav a[href='/notifications/']"


def test_the_notification_count_changes_as_items_are_read(team, sign_in):
    case = case_in_state(team, CaseState.ASSESSMENT)
    fill_assessment(case, team.official)
    case_services.case_submit_assessment(case=case, actor=team.lead)

    page = sign_in(team.legal, bypass_csp=True)
    expect(page.locator(NAV_LINK)).to_have_text("Notifications (2 unread)")
    page.click(NAV_LINK)

    expect(page.locator("h1")).to_have_text("Notifications")
    expect(page.locator("h2").first).to_have_text(f"{case.reference}: {case.title}")
    expect(page.locator(".govuk-tag", has_text="New")).to_have_count(2)
    expect(page.locator(NAV_LINK)).to_have_text("Notifications")
    assert axe_violations(page) == []

    case_services.case_return_assessment(case=case, actor=team.legal, comment="Not yet.")
    case_services.case_submit_assessment(case=case, actor=team.lead)
    page.goto("/")
    expect(page.locator(NAV_LINK)).to_have_text("Notifications (1 unread)")


def test_an_integration_account_is_refused_by_the_sign_in_page(team, browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, bypass_csp=True)
    page = context.new_page()
    page.goto("/sign-in/")
    page.fill("#id_username", team.integration.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("This is an integration account")
    expect(page.locator("h1")).to_have_text("Sign in")
    assert not any(cookie["name"] == "sessionid" for cookie in context.cookies())
    assert axe_violations(page) == []
    context.close()
