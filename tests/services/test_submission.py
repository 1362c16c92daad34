"""The submission to the minister is written with the options and approved with them."""

import pytest

from aia.content import stage_content, stage_content_hash
from aia.exceptions import Conflict, InvalidInput, PermissionRefused
from aia.models.choices import CaseState, Stage
from aia.services.options import case_submission_update
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "issue": "Civilians of group B are being killed in the north.",
    "recommendation": "Agree the designations.",
    "handling": "",
}


def test_the_submission_joins_the_options_content_the_adviser_approves(team):
    case = case_in_state(team, CaseState.OPTIONS)
    # Until one is written, the options content is what it was before submissions existed.
    assert "submission" not in stage_content(case, Stage.OPTIONS)
    before = stage_content_hash(case, Stage.OPTIONS)

    case_submission_update(case=case, actor=team.lead, data=SUBMISSION)
    case.refresh_from_db()
    assert stage_content(case, Stage.OPTIONS)["submission"] == {**SUBMISSION, "trend": ""}
    assert stage_content_hash(case, Stage.OPTIONS) != before
    events = case.events.filter(type="submission_updated").count()
    # Saving the same words again changes nothing and records nothing.
    case_submission_update(case=case, actor=team.lead, data=SUBMISSION)
    assert case.events.filter(type="submission_updated").count() == events == 1


def test_the_submission_is_checked_and_written_only_by_the_team_during_the_options(team):
    case = case_in_state(team, CaseState.OPTIONS)
    with pytest.raises(InvalidInput) as error:
        case_submission_update(
            case=case,
            actor=team.lead,
            data={"issue": "x" * 1501, "recommendation": "", "colour": "red", "trend": "up"},
        )
    assert set(error.value.fields) == {"issue", "recommendation", "colour", "trend"}
    with pytest.raises(PermissionRefused):
        case_submission_update(case=case, actor=team.legal, data=SUBMISSION)
    review = case_in_state(team, CaseState.OPTIONS_REVIEW)
    with pytest.raises(Conflict):
        case_submission_update(case=review, actor=team.lead, data=SUBMISSION)
