"""The pages work without JavaScript: forms, "add another source", the transitions."""

import pytest
from playwright.sync_api import expect

from aia.models import Case
from aia.models.choices import CaseState
from tests.factories import case_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editing_a_section_and_taking_a_step_without_javascript(team, sign_in):
    case = case_in_state(team, CaseState.SCOPING)
    page = sign_in(team.lead, javascript=False)
    expect(page.locator("body")).not_to_have_class("govuk-frontend-supported")
    page.click(f"a:has-text('{case.reference}')")
    page.click("a.govuk-task-list__link:has-text('Scope of the assessment')")

    page.fill("#id_sources-0-title", "First source")
    page.click("button:has-text('Add another source')")
    expect(page.locator("#id_sources-1-title")).to_be_visible()
    expect(page.locator("#id_sources-0-title")).to_have_value("First source")
    page.fill("#id_sources-1-title", "Second source")
    page.fill("#id_period_start_0", "1")
    page.fill("#id_period_start_1", "2")
    page.fill("#id_period_start_2", "2024")
    page.fill("#id_groups_at_risk", "Civilians")
    page.check("input[name=crimes_at_risk][value=war_crimes]")
    page.fill("#id_analysis", "The situation.")
    page.click("button:has-text('Save and return to the case')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved.")
    sources = case.sections.get(code="scope", version=1).sources
    assert [s["title"] for s in sources] == ["First source", "Second source"]

    page.click("[data-transition=start_assessment]")
    page.click("main button:has-text('Start the assessment')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The assessment has started."
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.ASSESSMENT
