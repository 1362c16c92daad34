"""The report says when an assessment was opened at an SRO's discretion, and why."""

import datetime

import pytest

from aia.reports.rendering import render_html
from aia.reports.snapshot import build_snapshot
from aia.services.triggers import SituationName, discretionary_assessment_open
from tests.factories import new_case
from tests.web.helpers import text

pytestmark = pytest.mark.django_db

REASON = "The embassy reports mass detentions of one community <b>since March</b>."


class Page:
    """``tests.web.helpers.text`` reads a response's content."""

    def __init__(self, html: str) -> None:
        self.content = html.encode()


def test_the_report_of_a_discretionary_assessment_says_so_and_why(team):
    case = discretionary_assessment_open(
        actor=team.sro,
        situation=SituationName("SS", "Upper Nile"),
        reason=REASON,
        knowledge_date=datetime.date(2025, 3, 2),
        source_body="British Embassy Juba",
        reference="JUBA/2025/14",
        title="Embassy report on detentions",
        finding="serious_risk",
        crimes=["crimes_against_humanity"],
    ).case
    snapshot = build_snapshot(case)
    assert snapshot["triggers"][0]["discretionary"] is True
    assert snapshot["triggers"][0]["reason"] == REASON
    html = render_html(snapshot, draft=True)
    page = text(Page(html))
    assert "This assessment is discretionary." in page
    assert "giving the knowledge date as 2 March 2025" in page
    assert f"The reason given: {REASON} (source: British Embassy Juba, JUBA/2025/14)." in page
    assert "the date of the earliest warning or discretionary record" in page
    # The reason is the SRO's text: escaped, never markup.
    assert "<b>since March</b>" not in html


def test_the_report_of_an_assessment_opened_by_a_warning_says_nothing_of_discretion(team):
    html = render_html(build_snapshot(new_case(team)), draft=True)
    page = text(Page(html))
    assert "discretionary" not in page.lower()
    assert "the date of the earliest qualifying warning" in page
