"""The source library in the browser: an official adds a source with its file, cites it from
two sections, and the report lists it once with both places. axe-core checks every new page."""

import pytest
from playwright.sync_api import expect

from aia.models import Source
from aia.models.choices import CaseState
from aia.web.templatetags.aia_web import section_name
from tests.e2e.conftest import axe_violations
from tests.factories import case_in_state
from tests.source_files import PDF

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.needs("axe-core"),
    pytest.mark.django_db(transaction=True),
]
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")
TITLE = "Report of the Fact-Finding Mission"


def success(page):
    return page.locator(".govuk-notification-banner--success")


def check(page, where: str, found: list[str]) -> None:
    found += [f"{where}: {v}" for v in axe_violations(page, impacts=EVERY_IMPACT)]


def cite_from(page, case, code: str, found: list[str]) -> None:
    page.goto(f"/cases/{case.pk}/sections/{code}/")
    page.select_option("#cite-source", label=TITLE)
    page.click("button:has-text('Cite this source')")
    expect(success(page)).to_contain_text(f"'{TITLE}' is cited here.")
    expect(page.locator("#cited-sources")).to_contain_text(TITLE)
    check(page, f"section {code}", found)


def test_a_source_with_a_file_is_cited_from_two_sections_and_listed_once(team, sign_in):
    case = case_in_state(team, CaseState.ASSESSMENT)
    found: list[str] = []
    page = sign_in(team.official, bypass_csp=True)

    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Open the source library").click()
    expect(page.locator("h1")).to_have_text("Source library")
    check(page, "empty library", found)

    page.get_by_role("link", name="Add a source").click()
    check(page, "form", found)
    page.click("button:has-text('Add the source')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the title.")
    check(page, "form with errors", found)
    page.fill("#id_title", TITLE)
    page.fill("#id_author", "UN Human Rights Council")
    page.fill("#id_published_on_0", "6")
    page.fill("#id_published_on_1", "9")
    page.fill("#id_published_on_2", "2024")
    page.get_by_label("Credible single source").check()
    page.set_input_files(
        "#id_file", files=[{"name": "mission.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("button:has-text('Add the source')")
    expect(success(page)).to_contain_text(f"Source '{TITLE}' added to the library.")
    check(page, "library", found)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download mission.pdf").click()
    assert download.value.suggested_filename == "mission.pdf"

    cite_from(page, case, "rf1", found)
    cite_from(page, case, "rf2", found)
    page.goto(f"/cases/{case.pk}/sources/")
    cited_in = page.locator(f"#source-{Source.objects.get().pk}")
    expect(cited_in).to_contain_text(section_name("rf1"))
    expect(cited_in).to_contain_text(section_name("rf2"))

    page.goto(f"/cases/{case.pk}/sign-off/preview/")
    sources = page.locator("table.sources")
    expect(sources.locator("tr", has_text=TITLE)).to_have_count(1)
    row = sources.locator("tr", has_text=TITLE)
    expect(row).to_contain_text("RF1, RF2")
    expect(row).to_contain_text("Credible single source")
    expect(row).to_contain_text(Source.objects.get().sha256)
    assert found == []
