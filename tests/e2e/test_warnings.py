"""Recording a warning, and opening a discretionary assessment, in a real browser; axe-core
finds no serious or critical violation on any of their pages."""

import pytest
from playwright.sync_api import expect

from aia.models import Case, Trigger
from tests.e2e.conftest import axe_violations

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.needs("axe-core"),
    pytest.mark.django_db(transaction=True),
]

SOURCE = "Independent International Fact-Finding Mission"
REFERENCE = "A/HRC/60/CRP.9"


def axe(page, where: str) -> list[str]:
    return [f"{where}: {violation}" for violation in axe_violations(page)]


def fill_date(page, name: str, day: str, month: str, year: str) -> None:
    page.fill(f"#id_{name}_0", day)
    page.fill(f"#id_{name}_1", month)
    page.fill(f"#id_{name}_2", year)


def fill_warning(page) -> None:
    page.get_by_label("Commission of Inquiry or Fact-Finding Mission finding").check()
    page.fill("#id_source_body", SOURCE)
    page.fill("#id_reference", REFERENCE)
    page.fill("#id_title", "Findings on the western region")
    page.get_by_label("Report", exact=True).check()
    fill_date(page, "finding_date", "6", "9", "2024")
    page.get_by_label("Serious risk").check()
    page.get_by_label("Genocide").check()
    page.fill("#id_groups_at_risk", "Civilians of the western region")
    page.fill("#id_source_url", "https://www.ohchr.org/en/test")
    page.select_option("#id_situation", "new")
    page.fill("#id_country_code", "SD")
    page.fill("#id_situation_name", "Western region")


def test_an_official_records_a_warning_that_opens_a_case_and_sees_it(team, sign_in):
    found: list[str] = []
    page = sign_in(team.official, bypass_csp=True)
    found += axe(page, "dashboard")
    page.click("a:has-text('Record a warning')")
    expect(page.locator("h1")).to_have_text("Record a warning")
    found += axe(page, "warning form")

    # Every error at once, in the summary, and nothing saved.
    page.fill("#id_source_body", SOURCE)
    page.click("button:has-text('Continue')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the kind of warning")
    expect(summary).to_contain_text("Choose the situation, or name a new one")
    expect(page.locator("#id_source_body")).to_have_value(SOURCE)
    found += axe(page, "warning form with errors")

    fill_warning(page)
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Check your answers before saving")
    expect(page.locator("#outcome")).to_contain_text(
        "Saving will open a new case for Western region"
    )
    found += axe(page, "check answers")
    assert not Trigger.objects.exists()

    page.click("button:has-text('Record the warning')")
    case = Case.objects.get()
    expect(page.locator(".govuk-panel__title")).to_have_text("Warning recorded")
    expect(page.locator("main")).to_contain_text("Until then you can follow the case")
    found += axe(page, "confirmation")

    page.click(f"a:has-text('Go to case {case.reference}')")
    expect(page.locator("main")).to_contain_text(case.reference)
    expect(page.locator("[data-transition]")).to_have_count(0)  # read only
    found += axe(page, "case page, as its reporter")

    # The same warning again: the duplicate is shown before anything is saved.
    page.goto("/warnings/new/")
    fill_warning(page)
    page.click("button:has-text('Continue')")
    duplicates = page.locator("#duplicate-warnings")
    expect(duplicates).to_contain_text(f"{SOURCE}, {REFERENCE}")
    expect(duplicates).to_contain_text(case.reference)
    expect(page.locator("#outcome")).to_contain_text("saving will not record it again")
    found += axe(page, "check answers with a duplicate")
    assert Trigger.objects.count() == 1
    assert not found, "\n".join(found)


def test_an_sro_opens_a_discretionary_assessment(team, sign_in):
    found: list[str] = []
    page = sign_in(team.sro, bypass_csp=True)
    page.click("a:has-text('Open a discretionary assessment')")
    expect(page.locator("h1")).to_have_text("Open a discretionary assessment")
    found += axe(page, "discretionary form")

    page.fill("#id_reason", "The embassy reports mass detentions of one community.")
    fill_date(page, "knowledge_date", "2", "3", "2025")
    page.fill("#id_source_body", "British Embassy Juba")
    page.fill("#id_title", "Embassy report on detentions")
    page.get_by_label("Ongoing").check()
    page.get_by_label("Crimes against humanity").check()
    page.select_option("#id_situation", "new")
    page.fill("#id_country_code", "SS")
    page.fill("#id_situation_name", "Upper Nile")
    page.click("button:has-text('Continue')")
    expect(page.locator("#outcome")).to_contain_text(
        "Its knowledge date will be 2 March 2025, the date you gave."
    )
    found += axe(page, "discretionary check answers")

    page.click("button:has-text('Open the assessment')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Discretionary assessment opened")
    found += axe(page, "discretionary confirmation")
    trigger = Trigger.objects.get()
    assert trigger.kind == "discretionary"
    assert str(trigger.case.knowledge_date) == "2025-03-02"
    assert not found, "\n".join(found)
