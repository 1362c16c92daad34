"""The ways back: a legal adviser returns the assessment (and then sees what changed), and
the minister sends the signed report back for revision."""

import pytest
from playwright.sync_api import expect

from aia.models import Case, Report
from aia.models.choices import CaseState
from tests.factories import case_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def banner(page):
    """The banner saying what the user just did (a returned stage has its own, on the case
    page)."""
    return page.locator(".govuk-notification-banner--success")


def test_the_legal_adviser_returns_the_assessment_and_reviews_the_change(team, sign_in):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    legal = sign_in(team.legal)
    legal.goto(f"/cases/{case.pk}/review/")

    # A return needs a comment: the error summary says so and links to the field.
    legal.click("button:has-text('Return the assessment')")
    expect(legal.locator(".govuk-error-summary")).to_contain_text(
        "Enter the comment explaining what must change."
    )
    legal.click(".govuk-error-summary a")
    expect(legal.locator("#id_return-comment")).to_be_focused()
    legal.fill("#id_return-comment", "RF3 needs evidence from the Mission's report.")
    legal.click("button:has-text('Return the assessment')")
    expect(banner(legal)).to_contain_text("The assessment is returned to the officials.")
    assert Case.objects.get(pk=case.pk).state == CaseState.ASSESSMENT

    # The official revises RF3 and resubmits.
    official = sign_in(team.official)
    official.goto(f"/cases/{case.pk}/")
    expect(official.locator("#reviews")).to_be_visible()
    expect(official.locator("#returned")).to_contain_text(
        f"{team.legal.display_name} returned the assessment to the officials on"
    )
    expect(official.locator("#returned")).to_contain_text("RF3 needs evidence")
    official.click("a.govuk-task-list__link:has-text('Weakness of State structures')")
    official.fill("#id_analysis", "Analysis of rf3, with the Mission's evidence of collapse.")
    official.check("input[name=rating][value=partially_present]")
    official.click("button:has-text('Save and return to the case')")
    expect(banner(official)).to_contain_text("saved.")
    official.click("[data-transition=submit_assessment]")
    official.click("main button:has-text('Submit for legal review')")
    expect(banner(official)).to_contain_text("The assessment is with the legal adviser.")

    # The legal adviser sees exactly what changed since the return, and approves.
    legal.goto(f"/cases/{case.pk}/review/")
    expect(legal.locator("#compared-with")).to_contain_text("returned")
    expect(legal.locator("#changed-items")).to_contain_text("Weakness of State structures")
    changed = legal.locator("#item-rf3")
    expect(changed.locator(".govuk-tag")).to_have_text("Changed")
    expect(changed.locator("ins").first).to_contain_text("Partially present")
    expect(changed.locator("ins").nth(1)).to_contain_text(
        "with the Mission's evidence of collapse."
    )
    legal.click("button:has-text('Approve the assessment')")
    expect(banner(legal)).to_contain_text("The assessment is approved")
    assert Case.objects.get(pk=case.pk).state == CaseState.OPTIONS


def test_the_minister_requests_a_revision(team, sign_in):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    minister = sign_in(team.minister)
    minister.goto(f"/cases/{case.pk}/")
    minister.click("[data-transition=request_revision]")
    minister.click("main button:has-text('Request a revision')")
    expect(minister.locator(".govuk-error-summary")).to_contain_text("Enter the comment")
    minister.fill("#id_comment", "Add an option on arms export licences.")
    minister.click("main button:has-text('Request a revision')")
    expect(banner(minister)).to_contain_text("The report is sent back for revision.")
    expect(minister.locator("#reports")).to_be_visible()
    expect(minister.locator("#reports + table")).to_contain_text("Superseded")
    assert Case.objects.get(pk=case.pk).state == CaseState.OPTIONS
    assert Report.objects.get(case=case).superseded_at is not None
