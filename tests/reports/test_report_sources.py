"""A library source cited in several places is listed once in the report, with its grading,
its file's SHA-256 and every place it is cited."""

import hashlib
import re

import pytest

from aia.models.choices import CaseState
from aia.reports.rendering import render_html
from aia.reports.snapshot import build_snapshot
from aia.services.options import option_create
from aia.services.sources import source_add, source_cite
from tests.factories import case_in_state, option_data, walk
from tests.source_files import PDF, SOURCE, upload

pytestmark = pytest.mark.django_db


def test_a_source_cited_twice_is_listed_once_with_both_places(team):
    case = case_in_state(team, CaseState.ASSESSMENT)
    source = source_add(
        case=case,
        actor=team.official,
        data={**SOURCE, "title": "Mission report <script>"},
        upload=upload("mission.pdf", PDF),
    )
    source_cite(source=source, actor=team.official, section_code="rf2")
    source_cite(source=source, actor=team.official, section_code="leverage")
    unused = source_add(case=case, actor=team.official, data={**SOURCE, "title": "Never cited"})
    case = walk(case, team, CaseState.OPTIONS)
    option = option_create(
        case=case, actor=team.official, data=option_data("legal", title="Refer to the ICC")
    )
    source_cite(source=source, actor=team.official, option_id=option.pk)
    case = walk(case, team, CaseState.SIGN_OFF)

    snapshot = build_snapshot(case)
    [entry] = [s for s in snapshot["sources"] if s.get("library")]
    assert entry["title"] == "Mission report <script>"
    assert entry["cited_in"] == ["rf2", "leverage", f"option:{option.pk}"]
    assert entry["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert entry["reliability_label"] == "Confirmed by several independent sources"
    assert unused.title not in [s["title"] for s in snapshot["sources"]]

    html = render_html(snapshot, draft=True)
    table = html[html.index('<table class="data sources">') :]
    assert table.count("Mission report &lt;script&gt;") == 1
    assert "<script>" not in table
    at = table.index("Mission report")
    row = table[table.rindex("<tr>", 0, at) : table.index("</tr>", at)]
    assert entry["sha256"] in row
    assert "Confirmed by several independent sources" in row
    leverage = next(d["title"] for d in snapshot["dimensions"] if d["code"] == "leverage")
    cited = re.search(r"<td>([^<]*Refer to the ICC[^<]*)</td>", row).group(1)
    assert cited.startswith(f"RF2, {leverage}, O")
    assert cited.endswith(": Refer to the ICC")
