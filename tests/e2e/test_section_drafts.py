"""Typed work survives in a real browser: "Next" and "Previous" save the draft, a refused
save keeps the text, and the second of two officials editing one section at once is shown
both versions instead of overwriting the first. axe-core finds nothing on any of the pages."""

import pytest
from playwright.sync_api import expect

from aia.framework import get_framework
from aia.models.choices import CaseState, SectionStatus
from tests.e2e.conftest import axe_violations as axe_violations_at
from tests.factories import case_in_state

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.needs("axe-core"),
    pytest.mark.django_db(transaction=True),
]


def axe_violations(page) -> list[str]:
    """These pages are held to no violation at all, minor ones included."""
    return axe_violations_at(page, impacts=("minor", "moderate", "serious", "critical"))


ANALYSIS = "Hate speech on local radio rose sharply in March.\nMore to add tomorrow."


def banner(page):
    return page.locator(".govuk-notification-banner")


def rf8(case):
    return case.sections.get(version=case.version, code="rf8")


def test_typed_text_survives_next_previous_and_a_failed_save(team, sign_in):
    case = case_in_state(team, CaseState.ASSESSMENT)
    page = sign_in(team.official, bypass_csp=True)
    found: list[str] = []
    page.goto(f"/cases/{case.pk}/sections/rf8/")
    found += axe_violations(page)

    page.fill("#id_analysis", ANALYSIS)
    page.click("button[name=go][value=rf9]")  # "Next"
    expect(page.locator("h1")).to_have_text(get_framework().section("rf9").title)
    expect(banner(page)).to_contain_text(
        "Triggering factors: your changes were saved as a draft; the section is not complete"
    )
    found += [f"after Next: {v}" for v in axe_violations(page)]

    page.click("button[name=go][value=rf8]")  # "Previous"
    expect(page.locator("#id_analysis")).to_have_value(ANALYSIS)
    expect(page.locator("#still-needed")).to_contain_text("Choose whether this risk factor")
    found += [f"a draft: {v}" for v in axe_violations(page)]

    # A refused save stays on the page with the text and every problem listed.
    page.check("input[name=rating][value=present]")
    page.fill("#id_analysis", ANALYSIS + " Added after the draft.")
    page.fill("#id_sources-0-title", "Radio monitoring report")
    page.fill("#id_sources-0-url", "not a web address")
    page.fill("#id_sources-0-date_0", "31")
    page.fill("#id_sources-0-date_1", "2")
    page.fill("#id_sources-0-date_2", "2024")
    page.click("button[name=go][value=rf9]")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the source link as a full web address")
    expect(summary).to_contain_text("Enter the date of the source as a real date")
    expect(summary).to_contain_text("To complete this section, choose how confident you are")
    expect(page.locator("#id_analysis")).to_have_value(ANALYSIS + " Added after the draft.")
    expect(page.locator("#id_sources-0-title")).to_have_value("Radio monitoring report")
    expect(page.locator("input[name=rating][value=present]")).to_be_checked()
    found += [f"refused save: {v}" for v in axe_violations(page)]
    # The draft stands; the refused text was not saved (the browser sends CRLF line breaks).
    assert rf8(case).analysis.replace("\r\n", "\n") == ANALYSIS

    assert not found, "\n".join(found)


def test_the_second_of_two_concurrent_editors_sees_both_versions(team, sign_in):
    case = case_in_state(team, CaseState.ASSESSMENT)
    lead = sign_in(team.lead, bypass_csp=True)
    official = sign_in(team.official, bypass_csp=True)
    for page in (lead, official):
        page.goto(f"/cases/{case.pk}/sections/rf8/")

    lead.fill("#id_analysis", "The lead's reading: the election is the trigger.")
    official.fill("#id_analysis", "The official's reading: the court ruling is the trigger.")
    lead.click("button[name=save]")
    expect(banner(lead)).to_contain_text("saved as a draft")

    official.click("button[name=save]")
    expect(official.locator(".govuk-error-summary")).to_contain_text(
        f"{team.lead.display_name} saved this section on"
    )
    versions = official.locator("#conflict-versions")
    expect(versions.locator("[data-version=yours]")).to_have_text(
        "The official's reading: the court ruling is the trigger."
    )
    expect(versions.locator("[data-version=saved]")).to_have_text(
        "The lead's reading: the election is the trigger."
    )
    expect(official.locator("#id_analysis")).to_have_value(
        "The official's reading: the court ruling is the trigger."
    )
    found = axe_violations(official)
    assert rf8(case).analysis == "The lead's reading: the election is the trigger."

    # Having seen both, the official keeps the saved version.
    official.click("a:has-text('discard your changes and open the saved version')")
    expect(official.locator("#id_analysis")).to_have_value(
        "The lead's reading: the election is the trigger."
    )
    assert rf8(case).status == SectionStatus.IN_PROGRESS
    assert not found, "\n".join(found)
