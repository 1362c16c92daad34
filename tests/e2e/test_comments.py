"""Returned work comes first: the legal adviser comments on a section as they review it and
returns the assessment; the official sees who returned it, when and why on the case page,
answers on the section and resolves the comment. axe-core checks each page on the way."""

import pytest
from playwright.sync_api import expect

from aia.models import Comment
from aia.models.choices import CaseState
from aia.services import cases as case_services
from tests.e2e.conftest import axe_violations
from tests.factories import case_in_state

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.needs("axe-core"),
    pytest.mark.django_db(transaction=True),
]


def success(page):
    return page.locator(".govuk-notification-banner--success")


def test_a_section_comment_is_on_the_banner_and_the_section_answered_and_resolved(team, sign_in):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    found: list[str] = []

    # The legal adviser comments on RF8 from the review page, then returns the assessment.
    legal = sign_in(team.legal, bypass_csp=True)
    legal.goto(f"/cases/{case.pk}/review/")
    legal.locator("#item-rf8").get_by_role("link", name="Comment on this section").click()
    legal.click("button:has-text('Add the comment')")
    expect(legal.locator(".govuk-error-summary")).to_contain_text("Enter the comment.")
    found += [f"comment errors: {v}" for v in axe_violations(legal)]
    legal.fill("#id_text", "Which report shows the arms flows?")
    legal.click("button:has-text('Add the comment')")
    expect(success(legal)).to_contain_text("Your comment is added.")
    expect(legal.locator("#open-comments")).to_contain_text("Which report shows the arms flows?")
    found += [f"review: {v}" for v in axe_violations(legal)]
    legal.fill("#id_return-comment", "RF8 needs its sources: see my comment.")
    legal.click("button:has-text('Return the assessment')")
    expect(success(legal)).to_contain_text("The assessment is returned to the officials.")

    # The official's case page opens with the return: who, when, why, and what is open.
    official = sign_in(team.official, bypass_csp=True)
    official.goto(f"/cases/{case.pk}/")
    returned = official.locator("#returned")
    expect(returned).to_contain_text(
        f"{team.legal.display_name} returned the assessment to the officials on"
    )
    expect(returned).to_contain_text("RF8 needs its sources: see my comment.")
    expect(returned).to_contain_text("Which report shows the arms flows?")
    found += [f"case page: {v}" for v in axe_violations(official)]

    # The section shows it as returned; the official answers and resolves.
    returned.get_by_role("link").first.click()
    expect(official.locator("#returned-tag")).to_have_text("Returned")
    found += [f"section: {v}" for v in axe_violations(official)]
    [thread] = Comment.objects.filter(case=case)
    official.fill(f"#reply-{thread.pk}", "The Panel of Experts' report, now cited.")
    official.click("#comments button:has-text('Reply')")
    expect(success(official)).to_contain_text("Your reply is added.")
    expect(official.locator("#comments")).to_contain_text("now cited.")
    official.click("#comments button:has-text('Resolve')")
    expect(success(official)).to_contain_text("The comment is resolved.")
    expect(official.locator("#returned-tag")).to_have_count(0)

    # Resubmitted, the legal adviser's review page lists it as resolved.
    case_services.case_submit_assessment(case=case, actor=team.lead)
    legal.goto(f"/cases/{case.pk}/review/")
    expect(legal.locator("#open-comments")).to_have_count(0)
    expect(legal.locator("#resolved-comments")).to_contain_text(
        "Which report shows the arms flows?"
    )
    assert found == []
