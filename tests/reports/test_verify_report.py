"""manage.py verify_report: is this file a report AIA rendered, and which one?"""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from aia.models.choices import CaseState, EventType
from aia.services import cases as case_services
from tests.factories import PASSWORD, case_in_state, committing

pytestmark = pytest.mark.django_db


def _verify(path) -> str:
    out = io.StringIO()
    call_command("verify_report", str(path), stdout=out)
    return out.getvalue()


def test_a_rendered_report_matches_and_a_changed_copy_does_not(team, tmp_path):
    case = case_in_state(team, CaseState.SIGNED_OFF)
    report = case.reports.get()
    output = _verify(report.pdf.path)
    assert "MATCH: this file is a report rendered by AIA." in output
    assert report.sha256 in output
    assert f"{case.reference} {case.title}" in output
    assert "number 1, of case version 1" in output
    assert "Status:  Ready" in output
    assert "Superseded: no" in output
    assert f"Signed off by: {team.sro.display_name} (Senior Responsible Owner) on " in output

    copy = tmp_path / "copy.pdf"
    shutil.copyfile(report.pdf.path, copy)
    with copy.open("ab") as handle:
        handle.write(b"\n% one more line\n")
    with pytest.raises(CommandError, match="NO MATCH") as raised:
        _verify(copy)
    assert raised.value.returncode == 1


@pytest.mark.parametrize("name", ["missing.pdf", "."])
def test_an_unreadable_file_exits_with_2(tmp_path, name):
    with pytest.raises(CommandError, match="Cannot read") as raised:
        _verify(tmp_path / name if name != "." else tmp_path)
    assert raised.value.returncode == 2


def test_a_superseded_report_says_so(team):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    report = case.reports.get()
    with committing():
        case_services.case_request_revision(
            case=case, actor=team.minister, comment="Add the partners' positions."
        )
    output = _verify(Path(report.pdf.path))
    assert "MATCH" in output
    assert "Superseded: yes, on " in output


def test_the_report_that_replaces_a_superseded_one_is_named(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    first = case.reports.get()
    with committing():
        case_services.case_request_revision(
            case=case, actor=team.minister, comment="Add the partners' positions."
        )
    with committing():
        case_services.case_submit_options(case=case, actor=team.lead)
        case_services.case_approve_options(case=case, actor=team.legal, comment="")
        case_services.case_sign_off(case=case, actor=team.sro, password=PASSWORD)
    first.refresh_from_db()
    second = case.reports.get(number=2)
    assert first.superseded_by == second
    assert "Superseded: yes, on " in _verify(Path(first.pdf.path))
    assert " by report 2" in _verify(Path(first.pdf.path))
    queued = case.events.filter(type=EventType.REPORT_QUEUED).order_by("sequence").last()
    assert queued.details["supersedes"] == [1]
    page = client_for(team.sro).get(f"/cases/{case.pk}/").content.decode()
    assert "by report 2, " in page.split('id="superseded-1"')[1][:80]
