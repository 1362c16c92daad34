"""One case from trigger to closed, each step taken by the user of the right role through the
pages alone, ending with the minister opening the signed PDF."""

import pytest
from playwright.sync_api import expect

from aia.framework import DIMENSION_CODES, RISK_FACTOR_CODES
from aia.models import Case, CaseEvent
from aia.models.choices import CaseState, EventType
from tests.factories import PASSWORD, new_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def banner(page):
    return page.locator(".govuk-notification-banner")


def open_case(page, case):
    page.goto("/")
    page.click(f"a:has-text('{case.reference}')")
    expect(page.locator("h1")).to_have_text(case.title)


def take(page, name: str, submit: str, **fields: str):
    """Click a transition's button on the case page, fill its confirmation page, confirm."""
    page.click(f"[data-transition={name}]")
    for selector, value in fields.items():
        page.fill(f"#{selector}", value)
    page.click(f"main button:has-text('{submit}')")


def fill_scope(page):
    page.fill("#id_period_start_0", "15")
    page.fill("#id_period_start_1", "4")
    page.fill("#id_period_start_2", "2023")
    page.fill("#id_groups_at_risk", "Masalit and other non-Arab communities")
    page.check("input[name=crimes_at_risk][value=genocide]")
    page.check("input[name=crimes_at_risk][value=crimes_against_humanity]")
    page.fill("#id_likely_perpetrators", "Armed group A and allied militias")
    page.fill("#id_analysis", "Attacks on civilians in the test region since April 2023.")


def fill_section(page, code: str):
    """Fill the open section editor for a risk factor, the footprint or a dimension."""
    if code in RISK_FACTOR_CODES:
        page.check("input[name=rating][value=present]")
        indicators = page.locator("input[name=indicators]")
        if indicators.count():
            indicators.first.check()
        page.fill("#id_key_evidence", f"Key evidence for {code}.")
        page.fill("#id_sources-0-title", "Report of the Fact-Finding Mission")
        page.fill("#id_sources-0-url", "https://www.ohchr.org/en/test")
    elif code == "uk_footprint":
        page.check("input[name=exposure][value=medium]")
    else:
        page.check("input[name=capacity][value=medium]")
    page.check("input[name=confidence][value=medium]")
    page.fill("#id_analysis", f"Analysis of {code}.")


def add_option(page, category: str, title: str):
    page.click("a:has-text('Add an option')")
    page.select_option("#id_category", category)
    page.fill("#id_title", title)
    page.fill("#id_description", "What the UK would do.")
    page.select_option("#id_lead_department", "fcdo")
    page.check("input[name=expected_effect][value=medium]")
    page.check("input[name=feasibility][value=high]")
    page.check("input[name=risk_of_harm][value=low]")
    page.check("input[name=recommendation][value=recommended]")
    page.fill("#id_rationale", "Proportionate and achievable.")
    page.click("main button:has-text('Add the option')")
    expect(banner(page)).to_contain_text(f"Option '{title}' added.")


def state_of(case) -> str:
    return Case.objects.get(pk=case.pk).state


def test_a_case_from_trigger_to_closed_through_the_pages(team, sign_in):
    # The trigger arrives from another system (the API or a feed).
    case = new_case(team)

    # The SRO takes the case on and names the team.
    sro = sign_in(team.sro)
    expect(sro.locator("#group-assign + p + table")).to_contain_text(case.reference)
    open_case(sro, case)
    sro.click("[data-transition=assign]")
    sro.select_option("#id_lead_official", str(team.lead.pk))
    sro.check(f"input[name=officials][value='{team.official.pk}']")
    sro.select_option("#id_legal_adviser", str(team.legal.pk))
    sro.select_option("#id_minister", str(team.minister.pk))
    sro.click("main button:has-text('Assign the team')")
    expect(banner(sro)).to_contain_text("The team is assigned")
    assert state_of(case) == CaseState.SCOPING

    # The lead official scopes the case and starts the assessment.
    lead = sign_in(team.lead)
    open_case(lead, case)
    lead.click("a.govuk-task-list__link:has-text('Scope of the assessment')")
    fill_scope(lead)
    lead.click("button:has-text('Save and return to the case')")
    expect(banner(lead)).to_contain_text("Scope of the assessment: saved.")
    take(lead, "start_assessment", "Start the assessment")
    expect(banner(lead)).to_contain_text("The assessment has started.")

    # The other official completes every risk factor, the footprint and each dimension,
    # walking from one section to the next.
    official = sign_in(team.official)
    open_case(official, case)
    official.click("a.govuk-task-list__link:has-text('Situations of armed conflict')")
    for code in (*RISK_FACTOR_CODES, "uk_footprint", *DIMENSION_CODES):
        assert f"/sections/{code}/" in official.url
        fill_section(official, code)
        official.click("button[name=save]")
        expect(banner(official)).to_contain_text("saved.")
        expect(official.locator("#section-status")).to_have_text("Complete")
        if code != DIMENSION_CODES[-1]:
            official.click(".govuk-pagination__next button[name=go]")
    open_case(official, case)
    expect(official.locator("#assessment + p")).to_have_text("24 of 24 sections complete.")
    take(official, "submit_assessment", "Submit for legal review")
    expect(banner(official)).to_contain_text("The assessment is with the legal adviser.")

    # The legal adviser reads it and approves it.
    legal = sign_in(team.legal)
    expect(legal.locator("#group-review + p + table")).to_contain_text(case.reference)
    open_case(legal, case)
    legal.click("a:has-text('Read the legal review')")
    expect(legal.locator("#compared-with")).to_contain_text("first review")
    legal.fill("#id_approve-comment", "Sound analysis.")
    legal.click("button:has-text('Approve the assessment')")
    expect(banner(legal)).to_contain_text("The assessment is approved")

    # The official maps the options: two options, and reasons for the other core categories.
    open_case(official, case)
    official.click("a:has-text('Edit the options register')")
    add_option(official, "diplomacy", "Press the Security Council")
    add_option(official, "sanctions", "Designate the commanders")
    for category, reason in (("legal", "No court has jurisdiction."), ("leverage", "None.")):
        official.fill(f"#id_gap-{category}-reason", reason)
        official.click(f"#gap-{category} button")
        expect(banner(official)).to_contain_text("the reason is saved.")
    open_case(official, case)
    take(official, "submit_options", "Submit for legal review")
    expect(banner(official)).to_contain_text("The options are with the legal adviser.")

    # The legal adviser approves the options.
    open_case(legal, case)
    legal.click("a:has-text('Read the options review')")
    legal.click("button:has-text('Approve the options')")
    expect(banner(legal)).to_contain_text("The options are approved")

    # The SRO signs off with their password, then submits the report to the minister.
    open_case(sro, case)
    sro.click("[data-transition=sign_off]")
    expect(sro.locator("#approvals")).to_contain_text(team.legal.display_name)
    expect(sro.frame_locator("iframe.aia-frame").locator("body")).to_contain_text("DRAFT")
    sro.fill("#id_password", PASSWORD)
    sro.click("main button:has-text('Sign off')")
    expect(banner(sro)).to_contain_text("Signed off.")
    expect(sro.locator("#reports")).to_be_visible()
    take(sro, "submit_to_minister", "Submit to the minister")
    expect(banner(sro)).to_contain_text("The signed report is with the minister.")

    # The minister reads the signed report on the page and records a decision.
    minister = sign_in(team.minister)
    expect(minister.locator("#group-decide + p + table")).to_contain_text(case.reference)
    open_case(minister, case)
    with minister.expect_response(lambda r: "/reports/" in r.url) as opened:
        minister.click("[data-transition=record_decision]")
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "application/pdf"
    minister.check("input[name=decision][value=agreed]")
    minister.fill("#id_note", "Proceed with both options.")
    minister.fill("#id_password", PASSWORD)
    minister.click("main button:has-text('Record the decision')")
    expect(banner(minister)).to_contain_text("Your decision is recorded")
    assert state_of(case) == CaseState.MONITORING

    # The SRO closes the case.
    open_case(sro, case)
    take(sro, "close", "Close the case", id_note="The risk has receded.")
    expect(banner(sro)).to_contain_text("The case is closed.")
    assert state_of(case) == CaseState.CLOSED

    # The minister opens the signed PDF from the closed case; the opening is on the record.
    open_case(minister, case)
    downloads_before = CaseEvent.objects.filter(
        case=case, type=EventType.REPORT_DOWNLOADED, actor=team.minister
    ).count()
    with minister.expect_download() as download:
        minister.click("a:has-text('Download report 1')")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert (
        CaseEvent.objects.filter(
            case=case, type=EventType.REPORT_DOWNLOADED, actor=team.minister
        ).count()
        == downloads_before + 1
    )
