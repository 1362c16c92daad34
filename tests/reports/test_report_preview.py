"""The DRAFT preview of a case that is not signed off yet."""

import pytest

from aia.models.choices import CaseState
from aia.reports.rendering import SafeURLFetcher, html_to_pdf, render_html
from aia.reports.snapshot import build_snapshot
from tests.factories import case_in_state
from tests.reports.pdf import read_pages, squash

pytestmark = pytest.mark.django_db


def test_a_case_awaiting_sign_off_previews_as_a_draft(team):
    case = case_in_state(team, CaseState.SIGN_OFF)
    snapshot = build_snapshot(case)
    assert snapshot["sign_off"]["signed_off_by"] is None

    html = render_html(snapshot, draft=True)
    fetcher = SafeURLFetcher()
    pdf, count = html_to_pdf(html, url_fetcher=fetcher)
    pages = read_pages(pdf)

    assert count == len(pages) > 5
    for page in pages:
        assert "DRAFT" in page.top
        assert "DRAFT" in page.bottom
        assert case.marking in page.top
        assert case.marking in page.bottom
    cover = squash(pages[0].body)
    assert "Date" + "Draftof" in cover
    assert squash(case.title) in cover
    # The record details close the draft as they close the signed report.
    details = squash(pages[-1].body + pages[-2].body)
    assert "Signedoff" + "Notsignedoff" in details
    assert "nofrozensnapshot" in details
    assert fetcher.refused == []
