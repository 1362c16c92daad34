"""The comments on sections and options are part of the report's legal advice record."""

import pytest

from aia.models.choices import CaseState
from aia.reports.rendering import render_html
from aia.reports.snapshot import build_snapshot
from aia.services import cases as case_services
from aia.services.comments import comment_add, comment_reply, comment_resolve
from tests.factories import case_in_state, committing, fill_assessment, walk

pytestmark = pytest.mark.django_db


def test_comment_threads_travel_into_the_legal_advice_record(team):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    with committing():
        case_services.case_return_assessment(case=case, actor=team.legal, comment="See RF8.")
    case.refresh_from_db()
    thread = comment_add(case=case, actor=team.legal, section_code="rf8", text_="Cite <it>.")
    comment_reply(case=case, actor=team.official, comment_id=thread.pk, text_="Cited.")
    comment_resolve(case=case, actor=team.official, comment_id=thread.pk)
    fill_assessment(case, team.official)
    case = walk(case, team, CaseState.SIGN_OFF)

    snapshot = build_snapshot(case)
    [entry] = snapshot["comments"]
    assert entry["text"] == "Cite <it>."
    assert entry["author"]["role"] == "Legal adviser"
    assert [r["text"] for r in entry["replies"]] == ["Cited."]
    assert entry["resolved_by"]["name"] == team.official.display_name

    html = render_html(snapshot, draft=True)
    record = html[html.index("Comments on sections and options") :]
    assert "Cite &lt;it&gt;." in record
    assert "Cited." in record
    assert f"Resolved by {team.official.display_name}" in record
