"""Decision records: the minister's answer to a signed report, frozen when it is given and
rendered once to a short signed PDF, listed with the reports, downloaded like them."""

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from aia.exceptions import StoredFileChanged
from aia.models import AccessRecord, DecisionRecord
from aia.models.choices import CaseState, DecisionRecordKind, EventType, ReportStatus
from aia.reports.decision_record import decision_html, render_decision_pdf
from aia.services import cases as case_services
from aia.services.decision_records import decision_record_render
from aia.stored_files import decision_record_file_open
from aia.tasks import decision_record_render as decision_record_render_task
from tests.factories import case_decided_in_part, case_in_state, committing
from tests.reports.pdf import read_pages, reader
from tests.reports.test_report_ua import ELEMENTS_COVERED, _tags

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The PDF's text, page after page, with runs of white space made single."""
    pages = read_pages(data)
    assert len(pages) <= 2
    return " ".join(" ".join(page.full for page in pages).split())


def rendered(record: DecisionRecord) -> DecisionRecord:
    record = decision_record_render(decision_record_id=str(record.pk))
    assert record.status == ReportStatus.READY, record.failure_reason
    return record


def pdf_of(record: DecisionRecord) -> bytes:
    with record.pdf.open("rb") as handle:
        return handle.read()


@pytest.fixture
def decided(team):
    case, refused, agreed = case_decided_in_part(team)
    return case, refused, agreed


def test_a_decision_in_part_is_recorded_with_each_option_and_the_note(decided, team):
    case, refused, agreed = decided
    record = case.decision_records.get()
    assert record.kind == DecisionRecordKind.DECISION
    assert record.report == case.reports.get()
    # The chain head frozen in the record includes the decision's own event.
    decision_event = case.events.get(transition="record_decision")
    assert record.chain_sequence == decision_event.sequence
    assert record.chain_hash == decision_event.hash
    record = rendered(record)
    text = pdf_text(pdf_of(record))
    assert "agreed the recommendation of signed report 1 in part" in text
    assert "Not the travel ban: it would end the talks." in text
    assert f"{refused.title} " in text
    for option in agreed:
        assert option.title in text
    assert text.count("Not agreed") == 1
    assert case.reports.get().sha256[:32] in text
    assert decision_event.hash[:32] in text
    assert team.minister.display_name in text
    assert record.snapshot["options"][0]["decision"] in ("agreed", "not_agreed")
    rendered_event = case.events.get(type=EventType.DECISION_RECORD_RENDERED)
    assert rendered_event.details["sha256"] == record.sha256


def test_a_request_for_revision_is_recorded(team):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    report = case.reports.get()
    case_services.case_request_revision(
        case=case, actor=team.minister, comment="Say more about the ceasefire talks."
    )
    record = case.decision_records.get()
    assert record.kind == DecisionRecordKind.REVISION
    assert record.report == report
    text = pdf_text(pdf_of(rendered(record)))
    assert "Revision requested" in text
    assert "Say more about the ceasefire talks." in text


def test_rendering_twice_keeps_the_first_file(decided):
    case, _, _ = decided
    record = rendered(case.decision_records.get())
    again = decision_record_render(decision_record_id=str(record.pk))
    assert (again.pdf.name, again.sha256) == (record.pdf.name, record.sha256)
    assert case.events.filter(type=EventType.DECISION_RECORD_RENDERED).count() == 1
    with pytest.raises(PermissionError):
        again.save()


def test_the_rendering_is_queued_through_the_outbox(team):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    with committing():
        case_services.case_record_decision(
            case=case, actor=team.minister, decision="agreed", note="Agreed in full."
        )
    record = case.decision_records.get()
    assert record.status == ReportStatus.READY
    assert case.events.filter(type=EventType.DECISION_RECORD_QUEUED).count() == 1


def test_a_changed_file_is_refused(decided):
    case, _, _ = decided
    record = rendered(case.decision_records.get())
    with open(record.pdf.path, "r+b") as handle:
        handle.seek(100)
        handle.write(b"X")
    with pytest.raises(StoredFileChanged):
        decision_record_file_open(record)


def test_the_download_is_logged_and_refused_to_whoever_may_not_see_the_case(
    decided, team, client_for
):
    case, _, _ = decided
    record = rendered(case.decision_records.get())
    url = reverse("web:decision-record-download", kwargs={"decision_record_id": record.pk})
    response = client_for(team.sro).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    logged = AccessRecord.objects.get(case=case, decision_record=record)
    assert logged.what == AccessRecord.What.DECISION_RECORD_DOWNLOADED
    assert case.events.filter(type=EventType.DECISION_RECORD_DOWNLOADED).count() == 1
    outsider = team.outsider
    assert client_for(outsider).get(url).status_code == 404
    assert AccessRecord.objects.filter(decision_record=record).count() == 1


def test_the_case_page_lists_it(decided, team, client_for):
    case, _, _ = decided
    record = rendered(case.decision_records.get())
    page = client_for(team.sro).get(reverse("web:case", kwargs={"case_id": case.pk}))
    html = page.content.decode()
    assert "Decisions and requests for revision" in html
    assert reverse("web:decision-record-download", kwargs={"decision_record_id": record.pk}) in html
    assert "Agreed in part" in html


def test_the_api_lists_it_and_sends_the_pdf(decided, team, api_for):
    case, _, _ = decided
    record = rendered(case.decision_records.get())
    api = api_for(team.lead)
    listed = api.get(f"/api/v1/cases/{case.pk}/decision-records/").json()
    assert [r["id"] for r in listed] == [str(record.pk)]
    assert listed[0]["kind"] == "decision"
    assert listed[0]["decision"] == "agreed_in_part"
    assert listed[0]["sha256"] == record.sha256
    assert listed[0]["report"]["number"] == 1
    response = api.get(listed[0]["pdf_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_of(record)
    assert AccessRecord.objects.filter(decision_record=record).count() == 1
    outsider = api_for(team.outsider)
    assert outsider.get(listed[0]["pdf_url"]).status_code == 404


def test_verify_report_recognises_a_decision_record(decided, tmp_path):
    case, _, _ = decided
    record = rendered(case.decision_records.get())
    out = io.StringIO()
    call_command("verify_report", record.pdf.path, stdout=out)
    output = out.getvalue()
    assert "MATCH: this file is a decision record rendered by AIA." in output
    assert "Decision: Agreed in part" in output
    assert f"Audit chain head: event #{record.chain_sequence}, {record.chain_hash}" in output


HOSTILE = {
    "format": 1,
    "kind": "decision",
    "case": {
        "id": "c",
        "reference": "AIA-2026-0001",
        "title": "<script>alert(1)</script>",
        "marking": "OFFICIAL-SENSITIVE",
        "version": 1,
        "situation": "Myanmar",
    },
    "report": {
        "id": "r",
        "number": 1,
        "sha256": "a" * 64,
        "signed_at": "2026-11-22T10:37:50+00:00",
    },
    "decision": "agreed",
    "decision_label": "Agreed",
    "note": 'Go ahead. <img src="file:///etc/passwd"> <a href="http://example.org/">x</a>',
    "options": [
        {
            "id": "o",
            "title": "<b>Sanctions</b>",
            "lead_department": "FCDO",
            "decision": "agreed",
            "agreed": True,
            "note": "",
        }
    ],
    "decided_by": {"id": 1, "name": "Jane Doe", "job_title": "", "department": ""},
    "decided_at": "2026-12-05T14:03:00+00:00",
    "chain_head": {"sequence": 61, "hash": "b" * 64},
}


def test_the_record_escapes_what_users_wrote_and_renders_reproducibly():
    html = decision_html(HOSTILE, snapshot_hash="c" * 64)
    for markup in ("<script>", "<img", "<b>", "<a "):
        assert markup not in html
    assert "&lt;script&gt;" in html
    assert _tags(html) <= ELEMENTS_COVERED, _tags(html) - ELEMENTS_COVERED
    assert "5 December 2026" in html
    assert "2026-12-05" not in html
    pdf, pages = render_decision_pdf(HOSTILE, snapshot_hash="c" * 64)
    assert pages == 1
    assert render_decision_pdf(HOSTILE, snapshot_hash="c" * 64)[0] == pdf
    document = reader(pdf)
    assert "/StructTreeRoot" in document.trailer["/Root"]
    text = pdf_text(pdf)
    assert '<img src="file:///etc/passwd">' in text
    assert "b" * 32 in text


def test_a_failed_render_is_recorded_and_shown_on_the_case_page(team, client_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    with (
        mock.patch(
            "aia.reports.decision_record.render_decision_pdf",
            side_effect=RuntimeError("renderer exploded"),
        ),
        committing(),
    ):
        case_services.case_record_decision(
            case=case, actor=team.minister, decision="not_agreed", note="Not now."
        )
    record = case.decision_records.get()
    assert record.status == ReportStatus.FAILED
    assert "RuntimeError: renderer exploded" in record.failure_reason
    assert not record.pdf
    assert case.events.filter(type=EventType.DECISION_RECORD_FAILED).count() == 1
    page = client_for(team.sro).get(reverse("web:case", kwargs={"case_id": case.pk}))
    assert "Could not be rendered" in page.content.decode()
    # The task's next run (the outbox sweeper sends it again) renders it.
    result = decision_record_render_task.apply(kwargs={"decision_record_id": str(record.pk)})
    assert result.get() == ReportStatus.READY
