"""Section drafts and two editors: an incomplete section is saved as work in progress, and a
save over a version someone else saved since the editor read it is refused, overwriting
nothing."""

import pytest

from aia.exceptions import Conflict
from aia.models import CaseEvent, Section
from aia.models.choices import CaseState, EventType, SectionStatus
from aia.services.assessment import (
    SectionEditConflict,
    section_check,
    section_revision,
    section_update,
)
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team):
    return case_in_state(team, CaseState.ASSESSMENT)


def rf8(case) -> Section:
    return case.sections.get(version=case.version, code="rf8")


def test_an_incomplete_section_is_saved_as_a_draft(team, case):
    section = section_update(
        case=case,
        actor=team.official,
        code="rf8",
        data={"analysis": "Half a thought, to finish tomorrow."},
        revision=section_revision(rf8(case)),
    )
    assert section.status == SectionStatus.IN_PROGRESS
    assert rf8(case).analysis == "Half a thought, to finish tomorrow."
    assert Section.missing_for_completion(section.kind, section.content()) == [
        "rating",
        "confidence",
    ]


def test_a_factor_judged_present_needs_a_source_to_be_complete(team, case):
    section = section_update(
        case=case,
        actor=team.official,
        code="rf8",
        data={"rating": "present", "confidence": "high", "analysis": "Seen.", "sources": []},
    )
    assert section.status == SectionStatus.IN_PROGRESS
    assert Section.missing_for_completion(section.kind, section.content()) == ["sources"]


def test_the_second_of_two_concurrent_saves_is_refused_and_overwrites_nothing(team, case):
    # Both open the section: each holds the revision they read.
    read_by_lead = read_by_official = section_revision(rf8(case))
    section_update(
        case=case,
        actor=team.lead,
        code="rf8",
        data={"analysis": "The lead's analysis."},
        revision=read_by_lead,
    )
    events = CaseEvent.objects.filter(case=case, type=EventType.SECTION_UPDATED).count()

    with pytest.raises(SectionEditConflict) as refused:
        section_update(
            case=case,
            actor=team.official,
            code="rf8",
            data={"analysis": "The official's analysis."},
            revision=read_by_official,
        )

    assert isinstance(refused.value, Conflict)  # a 409 wherever it is answered
    # The refusal carries the version that stands, and who saved it.
    assert refused.value.section.analysis == "The lead's analysis."
    assert refused.value.section.updated_by == team.lead
    assert rf8(case).analysis == "The lead's analysis."
    assert CaseEvent.objects.filter(case=case, type=EventType.SECTION_UPDATED).count() == events


def test_a_save_from_the_current_revision_goes_through(team, case):
    first = section_update(
        case=case, actor=team.lead, code="rf8", data={"analysis": "One."}, revision=""
    )
    section_update(
        case=case,
        actor=team.official,
        code="rf8",
        data={"analysis": "Two."},
        revision=section_revision(first),
    )
    assert rf8(case).analysis == "Two."


def test_an_unchanged_stale_save_is_not_a_conflict(team, case):
    stale = section_revision(rf8(case))
    section_update(case=case, actor=team.lead, code="rf8", data={"analysis": "Same."})
    # The second editor sends what is saved now: nothing would be overwritten.
    section = section_update(
        case=case, actor=team.official, code="rf8", data={"analysis": "Same."}, revision=stale
    )
    assert section.updated_by == team.lead


def test_without_a_revision_the_last_save_wins_as_the_api_does(team, case):
    stale = section_revision(rf8(case))
    section_update(case=case, actor=team.lead, code="rf8", data={"analysis": "One."})
    section_update(case=case, actor=team.official, code="rf8", data={"analysis": "Two."})
    assert rf8(case).analysis == "Two."
    with pytest.raises(SectionEditConflict):
        section_update(
            case=case, actor=team.official, code="rf8", data={"analysis": "3"}, revision=stale
        )


def test_a_revision_that_is_not_one_is_refused(team, case):
    section_update(case=case, actor=team.lead, code="rf8", data={"analysis": "One."})
    with pytest.raises(SectionEditConflict):
        section_update(
            case=case, actor=team.official, code="rf8", data={"analysis": "Two."}, revision="x"
        )
    assert rf8(case).analysis == "One."


def test_checking_reports_every_problem_and_saves_nothing(team, case):
    fields = section_check(
        section=rf8(case),
        data={
            "rating": "certain",
            "key_evidence": "x" * 1001,
            "sources": [{"title": "", "url": "ftp://x", "date": ""}],
        },
    )
    assert set(fields) == {"rating", "key_evidence", "sources.0.title", "sources.0.url"}
    assert rf8(case).status == SectionStatus.NOT_STARTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_the_same_moment_one_wins_and_one_is_refused(team):
    from tests.services.test_concurrency import run_together

    case = case_in_state(team, CaseState.ASSESSMENT)
    read = section_revision(rf8(case))
    editors = [team.lead, team.official]

    results = run_together(
        2,
        lambda i: section_update(
            case=case,
            actor=editors[i],
            code="rf8",
            data={"analysis": f"Analysis by editor {i}."},
            revision=read,
        ),
    )

    refused = [r for r in results if isinstance(r, SectionEditConflict)]
    saved = [r for r in results if isinstance(r, Section)]
    assert len(refused) == 1
    assert len(saved) == 1
    assert rf8(case).analysis == saved[0].analysis
