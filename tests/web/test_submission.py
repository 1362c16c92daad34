"""The submission to the minister: the lead official writes it with the options, the legal
adviser sees it in the options review, and the minister reads it above the signed report."""

import pytest

from aia.models import CaseEvent
from aia.models.choices import CaseState, EventType
from tests.factories import case_in_state, walk
from tests.web.helpers import case_url, error_summary, text

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "issue": "Armed group A is killing civilians of group B in the north, and the UK can act.",
    "recommendation": "That you agree the designations and the joint statement.",
    "handling": "Tell the EU and the US first; no press notice.",
}
# What the lead official sends: the three texts and which way the risk is moving.
POSTED = {**SUBMISSION, "trend": "worsening"}


def test_the_lead_official_writes_the_submission_and_the_minister_reads_it(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    client = client_for(team.lead)
    register = client.get(case_url(case, "web:options"))
    assert "Write the submission" in text(register)

    form = client.get(case_url(case, "web:submission"))
    assert form.status_code == 200
    assert "Submission to the minister" in text(form)

    # Bad input: two paragraphs for the issue, and no recommendation: both said at once.
    bad = client.post(
        case_url(case, "web:submission"),
        {
            "issue": "First paragraph.\r\n\r\nSecond paragraph.",
            "recommendation": "",
            "handling": "",
        },
    )
    assert bad.status_code == 400
    assert error_summary(bad) == [
        "Write the issue as one paragraph, without blank lines.",
        "Enter the recommendation.",
    ]
    # Each message is also beside its field.
    assert bad.content.decode().count("govuk-error-message") == 2
    case.refresh_from_db()
    assert case.submission_issue == ""

    saved = client.post(case_url(case, "web:submission"), POSTED, follow=True)
    assert "The submission to the minister is saved." in text(saved)
    assert SUBMISSION["recommendation"] in text(saved)
    case.refresh_from_db()
    assert case.submission_issue == SUBMISSION["issue"]
    event = CaseEvent.objects.filter(case=case, type=EventType.SUBMISSION_UPDATED).get()
    assert event.details == {"fields": ["handling", "issue", "recommendation", "trend"]}
    assert event.actor == team.lead

    # The legal adviser reviews it with the options.
    case = walk(case, team, CaseState.OPTIONS_REVIEW)
    review = client_for(team.legal).get(case_url(case, "web:review"))
    assert "The submission to the minister" in text(review)
    assert SUBMISSION["handling"] in text(review)
    assert "Getting worse" in text(review)

    case = walk(case, team, CaseState.WITH_MINISTER)
    page = client_for(team.minister).get(case_url(case, "web:minister"))
    shown = text(page)
    assert "The submission" in shown
    for part in SUBMISSION.values():
        assert part in shown
    assert "Decision sought" in shown
    assert "Which way the risk is moving: Getting worse." in shown
    assert "A decision is needed by" in shown
    recommended = case.options.filter(recommendation="recommended", withdrawn_at__isnull=True)
    assert recommended.exists()
    for option in recommended:
        assert option.title in shown
    # Written above the signed report, as the PDF's first pages.
    assert shown.index("The issue") < shown.index("The signed report")


def test_only_the_team_may_write_it_and_only_during_the_options(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    outsider = client_for(team.other_official).post(case_url(case, "web:submission"), SUBMISSION)
    assert outsider.status_code == 404
    legal = client_for(team.legal).post(case_url(case, "web:submission"), SUBMISSION)
    assert legal.status_code == 403
    case = walk(case, team, CaseState.OPTIONS_REVIEW)
    late = client_for(team.lead).get(case_url(case, "web:submission"))
    assert late.status_code == 200
    assert "can be edited only while" in text(late)
    refused = client_for(team.lead).post(case_url(case, "web:submission"), SUBMISSION)
    assert refused.status_code == 409
