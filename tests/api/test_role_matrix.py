"""Every user who may not take a transition gets 403 or 404 for it, never 200, and the case
does not change. Generated from the transition table: each transition is tried from its
source state, with valid inputs, by every user of the team fixture."""

import pytest

from aia.models import Case
from aia.models.choices import CaseState
from aia.workflow import transition_table
from tests.api.helpers import assert_envelope, transition_url
from tests.factories import (
    PASSWORD,
    case_in_state,
    committing,
    fill_assessment,
    fill_options,
    fill_scope,
)

pytestmark = pytest.mark.django_db

ASSIGN_BODY = {
    "lead_official": "lead",
    "legal_adviser": "legal",
    "officials": ["official"],
    "minister": "minister",
}

# (transition, source state, valid body, the users who may take it there).
MATRIX = [
    ("assign", CaseState.TRIGGERED, ASSIGN_BODY, {"sro", "other_sro"}),
    ("withdraw", CaseState.TRIGGERED, {"reason": "No."}, {"sro", "other_sro"}),
    ("start_assessment", CaseState.SCOPING, {}, {"lead", "official"}),
    ("submit_assessment", CaseState.ASSESSMENT, {}, {"lead", "official"}),
    ("return_assessment", CaseState.LEGAL_REVIEW, {"comment": "More."}, {"legal"}),
    ("approve_assessment", CaseState.LEGAL_REVIEW, {"comment": "Fine."}, {"legal"}),
    ("submit_options", CaseState.OPTIONS, {}, {"lead", "official"}),
    ("return_options", CaseState.OPTIONS_REVIEW, {"comment": "More."}, {"legal"}),
    ("approve_options", CaseState.OPTIONS_REVIEW, {}, {"legal"}),
    ("return_for_revision", CaseState.SIGN_OFF, {"comment": "Redo."}, {"sro"}),
    ("sign_off", CaseState.SIGN_OFF, {"password": PASSWORD}, {"sro"}),
    ("submit_to_minister", CaseState.SIGNED_OFF, {}, {"sro", "lead"}),
    (
        "record_decision",
        CaseState.WITH_MINISTER,
        {"decision": "agreed", "note": "Go."},
        {"minister"},
    ),
    ("request_revision", CaseState.WITH_MINISTER, {"comment": "Redo."}, {"minister"}),
    ("close", CaseState.MONITORING, {"note": "Done."}, {"sro"}),
    ("reopen", CaseState.MONITORING, {"reason": "Worse."}, {"sro"}),
    ("withdraw", CaseState.OPTIONS, {"reason": "No."}, {"sro"}),
]

# Content the walker adds only on its way out of a state, which the transition's guard needs.
PREPARE = {
    "start_assessment": lambda case, team: fill_scope(case, team.lead),
    "submit_assessment": lambda case, team: fill_assessment(case, team.official),
    "submit_options": lambda case, team: fill_options(case, team.official),
}


def test_matrix_covers_every_transition_from_every_source_it_needs():
    names = {name for name, _sources, _target in transition_table()}
    assert {name for name, *_ in MATRIX} == names


@pytest.mark.parametrize(
    ("name", "state", "body", "allowed"),
    MATRIX,
    ids=[f"{name}-from-{state}" for name, state, *_ in MATRIX],
)
def test_users_who_may_not_take_a_transition_get_403_or_404(
    team, api_for, subtests, name, state, body, allowed
):
    case = case_in_state(team, state)
    if name in PREPARE:
        PREPARE[name](case, team)
    before = Case.objects.values_list("state", "version", "event_count").get(pk=case.pk)
    users = team.everyone()
    assert allowed <= set(users)

    for username, user in sorted(users.items()):
        if username in allowed:
            continue
        with subtests.test(user=username):
            response = api_for(user).post(transition_url(case, name), body, format="json")
            assert response.status_code in (403, 404)
            assert_envelope(response, response.status_code)
            after = Case.objects.values_list("state", "version", "event_count").get(pk=case.pk)
            assert after == before

    # Everyone allowed sees the transition offered, and the first of them can take it.
    for username in sorted(allowed):
        detail = api_for(users[username]).get(f"/api/v1/cases/{case.pk}/").json()
        if name != "assign":  # assign's guard needs the team the call itself names
            assert name in detail["available_transitions"], username
    with committing():
        response = api_for(users[sorted(allowed)[0]]).post(
            transition_url(case, name), body, format="json"
        )
    assert response.status_code == 200, response.content
