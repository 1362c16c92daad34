"""Typed work is never lost on the section editor: "Previous" and "Next" save the draft first,
an incomplete section is saved and says what it still needs, refused text stays on the page
with every problem at once, and a second editor is shown both versions instead of
overwriting the first."""

import re
from html import unescape

import pytest
from django.urls import reverse

from aia.models.choices import CaseState, SectionStatus
from tests.factories import case_in_state
from tests.web.helpers import error_summary, text

pytestmark = pytest.mark.django_db


def section_url(case, code):
    return reverse("web:section", kwargs={"case_id": case.pk, "code": code})


def revision(response) -> str:
    """Return the revision the page's form was read at."""
    return unescape(re.search(r'name="revision" value="([^"]*)"', response.content.decode())[1])


def rf_post(**overrides):
    data = {
        "rating": "",
        "confidence": "",
        "analysis": "",
        "key_evidence": "",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-0-title": "",
        "sources-0-url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def case(team):
    return case_in_state(team, CaseState.ASSESSMENT)


def rf8(case):
    return case.sections.get(version=case.version, code="rf8")


def test_next_saves_the_draft_then_opens_the_next_section(team, client_for, case):
    client = client_for(team.official)
    page = client.get(section_url(case, "rf8"))
    html = page.content.decode()
    # "Next" and "Previous" are buttons of the section's form, not links away from it.
    assert 'form="section-form" name="go" value="rf9"' in html
    assert 'form="section-form" name="go" value="rf7"' in html

    response = client.post(
        section_url(case, "rf8"),
        rf_post(analysis="Half-written analysis.", go="rf9", revision=revision(page)),
    )

    assert response.status_code == 302
    assert response["Location"] == section_url(case, "rf9")
    assert rf8(case).analysis == "Half-written analysis."
    assert rf8(case).status == SectionStatus.IN_PROGRESS
    message = text(client.get(response["Location"]))
    assert (
        "Triggering factors: your changes were saved as a draft; the section is not complete "
        "yet: choose whether this risk factor is present; choose how confident you are."
    ) in message


def test_previous_saves_the_draft_then_opens_the_previous_section(team, client_for, case):
    client = client_for(team.official)
    response = client.post(
        section_url(case, "rf8"), rf_post(rating="present", go="rf7", revision="")
    )
    assert response["Location"] == section_url(case, "rf7")
    assert rf8(case).rating == "present"


def test_the_page_lists_what_a_draft_still_needs(team, client_for, case):
    client = client_for(team.official)
    client.post(section_url(case, "rf8"), rf_post(rating="present", save="1"))
    page = client.get(section_url(case, "rf8"))
    html = page.content.decode()
    assert "This section is not complete yet" in text(page)
    assert '<a class="govuk-link" href="#id_confidence_1">Choose how confident you are</a>' in html
    assert 'href="#sources">Add at least one source' in html


def test_adding_a_source_row_saves_the_draft_too(team, client_for, case):
    client = client_for(team.official)
    response = client.post(
        section_url(case, "rf8"),
        rf_post(analysis="Typed before adding a source.", add_source="1"),
    )
    assert response.status_code == 200
    assert rf8(case).analysis == "Typed before adding a source."
    html = response.content.decode()
    assert 'name="sources-1-title"' in html  # the blank row and the one added
    assert revision(response) == rf8(case).updated_at.isoformat()


def test_a_failed_save_keeps_the_typed_text_and_lists_every_problem(team, client_for, case):
    client = client_for(team.official)
    typed = "A long analysis the official must not lose.\nSecond paragraph."
    response = client.post(
        section_url(case, "rf8"),
        rf_post(
            analysis=typed,
            key_evidence="x" * 1001,
            **{
                "sources-0-title": "Report of the mission",
                "sources-0-url": "not a web address",
                "sources-0-date_0": "31",
                "sources-0-date_1": "2",
                "sources-0-date_2": "2024",
            },
            go="rf9",
        ),
    )
    assert response.status_code == 400
    assert unescape(response.content.decode()).count(typed) == 1  # kept in the textarea
    assert "Report of the mission" in response.content.decode()
    # The page's own check (the date), the service's (the evidence, the link) and what the
    # section still needs to be complete, in one round and in page order.
    assert error_summary(response) == [
        "To complete this section, choose whether this risk factor is present",
        "To complete this section, choose how confident you are",
        "The key evidence must be 1000 characters or fewer.",
        "Enter the source link as a full web address starting with https://.",
        "Enter the date of the source as a real date",
    ]
    assert rf8(case).analysis == ""  # nothing saved, and the page did not move on


def test_the_second_of_two_editors_is_shown_both_versions(team, client_for, case):
    lead, official = client_for(team.lead), client_for(team.official)
    read_by_lead = revision(lead.get(section_url(case, "rf8")))
    read_by_official = revision(official.get(section_url(case, "rf8")))

    saved = lead.post(
        section_url(case, "rf8"),
        rf_post(analysis="The lead's analysis.", rating="absent", save="1", revision=read_by_lead),
    )
    assert saved.status_code == 302
    refused = official.post(
        section_url(case, "rf8"),
        rf_post(analysis="The official's analysis.", save="1", revision=read_by_official),
    )

    assert refused.status_code == 409
    assert rf8(case).analysis == "The lead's analysis."  # nothing overwritten
    page = text(refused)
    lead_name = team.lead.display_name
    assert error_summary(refused)[0].startswith(f"{lead_name} saved this section on ")
    html = refused.content.decode()
    assert re.search(r'data-version="yours">The official&#x27;s analysis.<', html)
    assert re.search(r'data-version="saved">The lead&#x27;s analysis.<', html)
    assert re.search(r'data-version="saved">Absent<', html)
    assert "discard your changes and open the saved version" in page
    # The official's text stays in the form; saving it again now is a deliberate choice.
    assert revision(refused) == rf8(case).updated_at.isoformat()
    again = official.post(
        section_url(case, "rf8"),
        rf_post(analysis="The official's analysis.", save="1", revision=revision(refused)),
    )
    assert again.status_code == 302
    assert rf8(case).analysis == "The official's analysis."


def test_the_same_user_in_two_tabs_is_told_so(team, client_for, case):
    client = client_for(team.official)
    read = revision(client.get(section_url(case, "rf8")))
    client.post(section_url(case, "rf8"), rf_post(analysis="Tab one.", revision=read))
    refused = client.post(section_url(case, "rf8"), rf_post(analysis="Tab two.", revision=read))
    assert refused.status_code == 409
    assert "You saved this section in another window or tab" in text(refused)


def test_a_read_only_section_keeps_its_links(team, client_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    html = client_for(team.official).get(section_url(case, "rf8")).content.decode()
    assert f'href="{section_url(case, "rf9")}" rel="next"' in html
    assert 'name="go"' not in html


def test_moving_on_from_a_section_left_as_it_was_says_nothing(team, client_for, case):
    client = client_for(team.official)
    response = client.post(section_url(case, "rf8"), rf_post(go="rf9", revision=""), follow=True)
    assert "saved" not in text(response)
    assert rf8(case).status == SectionStatus.NOT_STARTED
