"""The source library's services: a source recorded once with its file's fingerprint, cited
from sections and options under the rules of editing them, every step on the audit trail."""

import hashlib

import pytest

from aia.exceptions import Conflict, InvalidInput, NotFound, PermissionRefused
from aia.models import Citation, Source
from aia.models.choices import CaseState, EventType, SectionStatus, Stage
from aia.permissions import has_contributed
from aia.services.assessment import section_update
from aia.services.options import option_create
from aia.services.sources import source_add, source_cite, source_uncite
from tests.factories import case_in_state, option_data
from tests.source_files import PDF, SOURCE, docx, upload

pytestmark = pytest.mark.django_db


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_source_with_a_file_is_stored_under_a_random_name_with_its_fingerprint(team, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    source = source_add(
        case=case, actor=team.official, data=SOURCE, upload=upload("ffm report.pdf", PDF)
    )
    assert source.file_name == "ffm report.pdf"
    assert source.content_type == "application/pdf"
    assert source.size == len(PDF)
    assert source.sha256 == hashlib.sha256(PDF).hexdigest()
    assert source.file.name.startswith(f"sources/{case.pk}/")
    assert "ffm" not in source.file.name
    with source.file.open("rb") as handle:
        assert handle.read() == PDF
    event = case.events.get(type=EventType.SOURCE_ADDED)
    assert event.actor == team.official
    assert event.details["sha256"] == source.sha256
    assert event.details["size"] == len(PDF)


def test_a_source_needs_a_title_and_a_grading(team, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    with pytest.raises(InvalidInput) as refusal:
        source_add(case=case, actor=team.official, data={"title": "", "reliability": ""})
    assert set(refusal.value.fields) == {"title", "reliability"}
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("report.pdf", b"MZ\x90\x00 not a pdf at all", "does not match its name"),
        ("notes.docx", docx(macros=True), "does not match its name"),
        ("scan.png", PDF, "should be a PNG image, but its content is a PDF"),
        ("notes.txt", b"binary\x00data", "does not match its name"),
        ("tool.exe", b"MZ\x90\x00", "must be a PDF"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(team, settings, name, content, says):
    case = case_in_state(team, CaseState.ASSESSMENT)
    with pytest.raises(InvalidInput) as refusal:
        source_add(case=case, actor=team.official, data=SOURCE, upload=upload(name, content))
    assert says in refusal.value.fields["file"][0]
    assert not Source.objects.exists()
    assert _stored_files(settings) == []


def test_a_word_document_and_plain_text_are_accepted(team, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    word = source_add(case=case, actor=team.official, data=SOURCE, upload=upload("a.docx", docx()))
    text = source_add(case=case, actor=team.official, data=SOURCE, upload=upload("b.txt", b"ok"))
    assert word.content_type.startswith("application/vnd.openxmlformats")
    assert text.content_type == "text/plain; charset=utf-8"


def test_only_the_team_officials_add_sources_and_only_while_content_is_open(team, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    with pytest.raises(PermissionRefused):
        source_add(case=case, actor=team.legal, data=SOURCE)
    with pytest.raises(NotFound):
        source_add(case=case, actor=team.other_official, data=SOURCE)
    reviewed = case_in_state(team, CaseState.LEGAL_REVIEW)
    with pytest.raises(Conflict):
        source_add(case=reviewed, actor=team.official, data=SOURCE)
    assert not Source.objects.exists()


def test_a_citation_counts_as_the_source_a_factor_judged_present_needs(team, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    section_update(
        case=case,
        actor=team.official,
        code="rf1",
        data={"rating": "present", "confidence": "high", "analysis": "Seen.", "sources": []},
    )
    section = case.sections.get(code="rf1", version=case.version)
    assert section.status == SectionStatus.IN_PROGRESS
    source = source_add(case=case, actor=team.official, data=SOURCE)
    source_cite(source=source, actor=team.official, section_code="rf1")
    section.refresh_from_db()
    assert section.status == SectionStatus.COMPLETE
    # Citing twice changes nothing; removing the citation takes the completeness away again.
    source_cite(source=source, actor=team.official, section_code="rf1")
    assert Citation.objects.count() == 1
    source_uncite(source=source, actor=team.lead, section_code="rf1")
    section.refresh_from_db()
    assert section.status == SectionStatus.IN_PROGRESS
    assert [e.type for e in case.events.filter(type__startswith="source_")] == [
        EventType.SOURCE_ADDED,
        EventType.SOURCE_CITED,
        EventType.SOURCE_UNCITED,
    ]
    # Citing is contributing to the content, for the four-eyes rule.
    assert has_contributed(case, team.lead, Stage.ASSESSMENT)


def test_citing_follows_the_rules_of_editing_the_item(team, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    source = source_add(case=case, actor=team.official, data=SOURCE)
    with pytest.raises(PermissionRefused):
        source_cite(source=source, actor=team.sro, section_code="rf1")
    with pytest.raises(NotFound):
        source_cite(source=source, actor=team.other_official, section_code="rf1")
    options = case_in_state(team, CaseState.OPTIONS)
    kept = source_add(case=options, actor=team.official, data=SOURCE)
    with pytest.raises(Conflict):
        source_cite(source=kept, actor=team.official, section_code="rf1")
    option = option_create(case=options, actor=team.official, data=option_data("diplomacy"))
    source_cite(source=kept, actor=team.official, option_id=option.pk)
    event = options.events.get(type=EventType.SOURCE_CITED)
    assert event.details["option"] == str(option.pk)
    assert event.stage == Stage.OPTIONS
    assert not Citation.objects.filter(source=source).exists()
