"""manage.py verify_files: after a restore, whether every stored file the database names is
in storage and is the file that was stored."""

import pytest
from django.core.management import CommandError, call_command

from aia.models.choices import CaseState
from aia.services.sources import source_add
from tests import source_files
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(team):
    report = case_in_state(team, CaseState.SIGNED_OFF).reports.get()
    source = source_add(
        case=case_in_state(team, CaseState.ASSESSMENT),
        actor=team.official,
        data=dict(source_files.SOURCE),
        upload=source_files.upload("mission.pdf", source_files.PDF),
    )
    return report, source


def test_every_file_matching_passes(stored, capsys):
    report, _ = stored
    call_command("verify_files")
    out = capsys.readouterr().out
    assert f"OK      The PDF of report 1 of {report.case.reference}" in out
    assert "OK      The file of source" in out
    assert "All 2 stored files match." in out


def test_a_changed_file_and_a_missing_one_are_named(stored, capsys):
    report, source = stored
    with open(source.file.path, "r+b") as handle:
        handle.seek(-20, 2)
        handle.write(b"X")
    report.pdf.storage.delete(report.pdf.name)
    with pytest.raises(CommandError, match="2 of 2 stored files missing or changed"):
        call_command("verify_files")
    out = capsys.readouterr().out
    assert f"The PDF of report 1 of {report.case.reference} ({report.pdf.name}): missing" in out
    assert f"({source.file.name}): not the file stored" in out
