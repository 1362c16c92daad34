"""A stored file is sent only if it is still the file that was stored: a report or a source
file changed (or lost) in storage is refused with an error that names it."""

import logging
from pathlib import Path

import pytest

from aia.models.choices import CaseState
from aia.services.sources import source_add
from tests import source_files
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db


def _tamper(field_file) -> None:
    with open(field_file.path, "r+b") as stored:
        stored.seek(-20, 2)
        byte = stored.read(1)
        stored.seek(-20, 2)
        stored.write(bytes([byte[0] ^ 0x01]))


def test_an_intact_report_is_sent_as_stored(team, client_for, api_for):
    report = case_in_state(team, CaseState.SIGNED_OFF).reports.get()
    stored = Path(report.pdf.path).read_bytes()
    web = client_for(team.sro).get(f"/reports/{report.pk}/download/")
    assert b"".join(web.streaming_content) == stored
    api = api_for(team.sro).get(f"/api/v1/reports/{report.pk}/pdf/")
    assert b"".join(api.streaming_content) == stored


def test_a_report_changed_in_storage_is_refused_on_the_web_and_the_api(
    team, client_for, api_for, caplog
):
    report = case_in_state(team, CaseState.SIGNED_OFF).reports.get()
    _tamper(report.pdf)
    what = f"The PDF of report 1 of {report.case.reference}"
    with caplog.at_level(logging.ERROR, logger="aia.stored_files"):
        page = client_for(team.sro).get(f"/reports/{report.pk}/download/")
    assert page.status_code == 500
    assert f"{what} does not match the SHA-256 recorded when it was stored" in (
        page.content.decode()
    )
    assert b"%PDF" not in page.content
    assert any(report.pdf.name in record.getMessage() for record in caplog.records)

    answer = api_for(team.sro).get(f"/api/v1/reports/{report.pk}/pdf/")
    assert answer.status_code == 500
    body = answer.json()
    assert body["message"].startswith(f"{what} does not match")
    assert body["extra"] == {"file": report.pdf.name}


def test_a_report_missing_from_storage_is_refused_in_words(team, client_for):
    report = case_in_state(team, CaseState.SIGNED_OFF).reports.get()
    report.pdf.storage.delete(report.pdf.name)
    page = client_for(team.sro).get(f"/reports/{report.pk}/download/")
    assert page.status_code == 500
    assert "is missing from storage, so it has not been sent" in page.content.decode()


def test_a_source_file_changed_in_storage_is_refused(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    source = source_add(
        case=case,
        actor=team.official,
        data=dict(source_files.SOURCE),
        upload=source_files.upload("mission.pdf", source_files.PDF),
    )
    url = f"/cases/{case.pk}/sources/{source.pk}/file/"
    assert b"".join(client_for(team.official).get(url).streaming_content) == source_files.PDF
    _tamper(source.file)
    page = client_for(team.official).get(url)
    assert page.status_code == 500
    assert "The file of source" in page.content.decode()
    assert "has not been sent" in page.content.decode()
