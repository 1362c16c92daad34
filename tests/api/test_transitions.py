"""POST /api/v1/cases/{id}/transitions/{name}/: inputs, refusals and the answer."""

import pytest
from django.contrib.auth.models import Group

from aia.models import Case
from aia.models.choices import CaseState, Role
from aia.services.assessment import section_update
from tests.api.contract import TRANSITION_NAMES
from tests.api.helpers import assert_envelope, db_fingerprint, field_errors, transition_url
from tests.factories import (
    PASSWORD,
    case_in_state,
    committing,
    fill_assessment,
    new_case,
    walk,
)

pytestmark = pytest.mark.django_db


def post(client, case, name, **body):
    return client.post(transition_url(case, name), body, format="json")


def state_of(case) -> str:
    return Case.objects.values_list("state", flat=True).get(pk=case.pk)


def test_the_api_offers_every_transition_of_the_state_machine():
    from aia.api.views.transitions import TRANSITIONS
    from aia.workflow import transition_table

    assert set(TRANSITIONS) == {name for name, *_ in transition_table()} == TRANSITION_NAMES


def test_a_transition_answers_with_the_case_and_what_the_user_may_do_next(team, api_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    response = post(api_for(team.legal), case, "return_assessment", comment="Add sources.")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(case.pk)
    assert body["state"] == "assessment"
    assert body["available_transitions"] == []  # the legal adviser has nothing to do now


def test_the_wrong_state_is_409_naming_the_state(team, api_for):
    case = case_in_state(team, CaseState.SCOPING)
    before = db_fingerprint()
    response = post(api_for(team.legal), case, "approve_assessment")
    body = assert_envelope(response, 409)
    assert body["extra"] == {"transition": "approve_assessment", "state": "scoping"}
    assert db_fingerprint() == before


def test_a_failing_guard_is_409_saying_what_is_missing(team, api_for):
    scoping = case_in_state(team, CaseState.SCOPING)
    options = case_in_state(team, CaseState.OPTIONS)
    before = db_fingerprint()
    body = assert_envelope(post(api_for(team.lead), scoping, "start_assessment"), 409)
    assert body["extra"]["guard"] == "scope_is_complete"
    assert body["extra"]["incomplete_sections"] == ["scope"]
    body = assert_envelope(post(api_for(team.lead), options, "submit_options"), 409)
    assert body["extra"]["guard"] == "core_options_covered"
    assert body["extra"]["uncovered_categories"] == ["diplomacy", "sanctions", "legal", "leverage"]
    assert db_fingerprint() == before


def test_the_wrong_role_is_403_naming_the_transition(team, api_for):
    case = case_in_state(team, CaseState.LEGAL_REVIEW)
    body = assert_envelope(post(api_for(team.lead), case, "approve_assessment"), 403)
    assert body["extra"]["transition"] == "approve_assessment"
    assert state_of(case) == CaseState.LEGAL_REVIEW


def test_the_four_eyes_rule_is_403_with_the_reason(team, api_for):
    # The legal adviser is also an official on the case, and edited the assessment.
    team.legal.groups.add(Group.objects.get(name=Role.OFFICIAL))
    case = case_in_state(team, CaseState.ASSESSMENT)
    case.officials.add(team.legal)
    section_update(case=case, actor=team.legal, code="rf1", data={"analysis": "My own view."})
    fill_assessment(case, team.official)
    assert post(api_for(team.lead), case, "submit_assessment").status_code == 200
    before = db_fingerprint()
    body = assert_envelope(post(api_for(team.legal), case, "approve_assessment"), 403)
    assert "four-eyes" in body["message"]
    assert db_fingerprint() == before
    assert (
        "approve_assessment"
        not in (
            api_for(team.legal).get(f"/api/v1/cases/{case.pk}/").json()["available_transitions"]
        )
    )


def test_an_sro_who_edited_the_assessment_is_refused_sign_off_with_403(team, api_for):
    # The SRO is also an official on the case, and edited one section of the assessment.
    team.sro.groups.add(Group.objects.get(name=Role.OFFICIAL))
    case = case_in_state(team, CaseState.ASSESSMENT)
    case.officials.add(team.sro)
    fill_assessment(case, team.official)
    section_update(case=case, actor=team.sro, code="rf1", data={"analysis": "The SRO's view."})
    assert post(api_for(team.lead), case, "submit_assessment").status_code == 200
    case = walk(Case.objects.get(pk=case.pk), team, CaseState.SIGN_OFF)
    client = api_for(team.sro)
    before = db_fingerprint()

    body = assert_envelope(post(client, case, "sign_off", password=PASSWORD), 403)

    assert body["message"] == (
        "You edited or submitted the assessment content of this case, so someone else must "
        "approve it (four-eyes rule)."
    )
    assert db_fingerprint() == before
    available = client.get(f"/api/v1/cases/{case.pk}/").json()["available_transitions"]
    assert "sign_off" not in available
    assert "return_for_revision" in available


def test_sign_off_requires_the_users_own_password(team, api_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    client = api_for(team.sro)
    before = db_fingerprint()
    assert "password" in field_errors(post(client, case, "sign_off"))
    body = assert_envelope(post(client, case, "sign_off", password="not-my-password"), 403)
    assert "password" in body["extra"]["fields"]
    assert_envelope(post(client, case, "sign_off", password=123), 400)
    assert db_fingerprint() == before
    with committing():
        response = post(client, case, "sign_off", password=PASSWORD, comment="Agreed.")
    assert response.status_code == 200
    assert response.json()["signed_off_at"]


def test_the_password_never_appears_in_the_audit_trail(team, api_for):
    case = case_in_state(team, CaseState.SIGN_OFF)
    with committing():
        post(api_for(team.sro), case, "sign_off", password=PASSWORD)
    events = api_for(team.auditor).get(f"/api/v1/cases/{case.pk}/events/?page_size=100")
    assert PASSWORD not in events.content.decode()


def test_assign_names_the_team_by_username(team, api_for):
    case = new_case(team)
    response = post(
        api_for(team.sro),
        case,
        "assign",
        lead_official="lead",
        legal_adviser="legal",
        officials=["official", "other_official"],
        minister=None,
        marking="OFFICIAL",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["marking"] == "OFFICIAL"
    assert body["team"]["minister"] is None
    assert body["team"]["sro"]["username"] == "sro"
    assert sorted(o["username"] for o in body["team"]["officials"]) == [
        "official",
        "other_official",
    ]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"lead_official": "ghost", "legal_adviser": "legal"}, {"lead_official"}),
        (
            {"lead_official": "lead", "legal_adviser": "legal", "officials": ["ghost"]},
            {"officials"},
        ),
        ({"lead_official": "lead"}, {"legal_adviser"}),
        ({"lead_official": "legal", "legal_adviser": "lead"}, {"lead_official", "legal_adviser"}),
        ({"lead_official": "lead", "legal_adviser": "legal", "marking": "SECRET"}, {"marking"}),
        ({"lead_official": "lead", "legal_adviser": "legal", "comment": "Hi"}, {"comment"}),
    ],
    ids=["unknown-lead", "unknown-official", "no-legal", "wrong-roles", "marking", "unused"],
)
def test_assign_rejects_a_bad_team_with_field_errors(team, api_for, body, fields):
    case = new_case(team)
    before = db_fingerprint()
    response = api_for(team.sro).post(transition_url(case, "assign"), body, format="json")
    assert fields <= set(field_errors(response))
    assert db_fingerprint() == before


def test_an_inactive_user_cannot_be_named(team, api_for):
    team.other_official.is_active = False
    team.other_official.save(update_fields=["is_active"])
    case = new_case(team)
    body = {"lead_official": "other_official", "legal_adviser": "legal"}
    assert "lead_official" in field_errors(
        api_for(team.sro).post(transition_url(case, "assign"), body, format="json")
    )


@pytest.mark.parametrize(
    ("state", "user", "name", "field"),
    [
        (CaseState.LEGAL_REVIEW, "legal", "return_assessment", "comment"),
        (CaseState.OPTIONS_REVIEW, "legal", "return_options", "comment"),
        (CaseState.SIGN_OFF, "sro", "return_for_revision", "comment"),
        (CaseState.WITH_MINISTER, "minister", "request_revision", "comment"),
        (CaseState.WITH_MINISTER, "minister", "record_decision", "note"),
        (CaseState.MONITORING, "sro", "close", "note"),
        (CaseState.MONITORING, "sro", "reopen", "reason"),
        (CaseState.SCOPING, "sro", "withdraw", "reason"),
    ],
)
def test_required_inputs_are_400_when_missing_or_blank(team, api_for, state, user, name, field):
    case = case_in_state(team, state)
    client = api_for(team.everyone()[user])
    before = db_fingerprint()
    body = {"decision": "agreed"} if name == "record_decision" else {}
    assert field in field_errors(client.post(transition_url(case, name), body, format="json"))
    body[field] = "   "
    assert field in field_errors(client.post(transition_url(case, name), body, format="json"))
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    ("state", "user", "name", "status"),
    [
        # A team member whose role may not take it: 403, not what the body lacks.
        (CaseState.LEGAL_REVIEW, "official", "return_assessment", 403),
        (CaseState.OPTIONS_REVIEW, "lead", "return_options", 403),
        (CaseState.SIGN_OFF, "legal", "return_for_revision", 403),
        (CaseState.SIGN_OFF, "legal", "sign_off", 403),
        (CaseState.WITH_MINISTER, "sro", "request_revision", 403),
        (CaseState.WITH_MINISTER, "sro", "record_decision", 403),
        (CaseState.MONITORING, "minister", "close", 403),
        (CaseState.MONITORING, "lead", "reopen", 403),
        (CaseState.SCOPING, "legal", "withdraw", 403),
        # The right user at the wrong time: 409.
        (CaseState.ASSESSMENT, "legal", "return_assessment", 409),
        (CaseState.OPTIONS, "sro", "sign_off", 409),
        (CaseState.SIGNED_OFF, "minister", "record_decision", 409),
        (CaseState.WITH_MINISTER, "sro", "close", 409),
    ],
)
def test_a_user_who_may_not_take_the_transition_hears_that_before_what_the_body_lacks(
    team, api_for, state, user, name, status
):
    case = case_in_state(team, state)
    before = db_fingerprint()
    response = post(api_for(team.everyone()[user]), case, name)
    body = assert_envelope(response, status)
    assert body["extra"]["transition"] == name
    assert "fields" not in body["extra"]
    assert db_fingerprint() == before


def test_a_field_the_transition_does_not_take_is_400(team, api_for):
    case = case_in_state(team, CaseState.MONITORING)
    before = db_fingerprint()
    response = post(api_for(team.sro), case, "close", reason="Wrong field for close.")
    assert set(field_errors(response)) == {"reason"}
    assert db_fingerprint() == before


def test_record_decision_validates_the_decision_and_option_decisions(team, api_for):
    case = case_in_state(team, CaseState.WITH_MINISTER)
    client = api_for(team.minister)
    before = db_fingerprint()
    assert "decision" in field_errors(post(client, case, "record_decision", decision="yes"))
    response = post(client, case, "record_decision", decision="agreed_in_part", note="Some.")
    assert any(key.startswith("option_decisions.") for key in field_errors(response))
    response = post(
        client, case, "record_decision", decision="agreed", note="Ok.", option_decisions=["x"]
    )
    assert "option_decisions" in field_errors(response)
    assert db_fingerprint() == before
    options = {str(o.pk): "agreed" for o in case.options.all()}
    first = sorted(options)[0]
    options[first] = "not_agreed"
    response = post(
        client,
        case,
        "record_decision",
        decision="agreed_in_part",
        note="All but one.",
        option_decisions=options,
    )
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "agreed_in_part"


def test_the_other_return_and_revision_paths_work_over_http(team, api_for):
    case = case_in_state(team, CaseState.OPTIONS_REVIEW)
    assert post(api_for(team.legal), case, "return_options", comment="Legal basis?").json()[
        "state"
    ] == ("options")
    case = case_in_state(team, CaseState.SIGN_OFF)
    body = post(api_for(team.sro), case, "return_for_revision", comment="Timing.").json()
    assert body["state"] == "options"
    case = case_in_state(team, CaseState.WITH_MINISTER)
    body = post(api_for(team.minister), case, "request_revision", comment="Add one.").json()
    assert body["state"] == "options"
    reports = api_for(team.sro).get(f"/api/v1/cases/{case.pk}/reports/").json()
    assert reports[0]["superseded_at"] is not None
    case = case_in_state(team, CaseState.MONITORING)
    body = post(api_for(team.sro), case, "reopen", reason="Deteriorated.").json()
    assert (body["state"], body["version"]) == ("assessment", 2)


def test_an_sro_who_withdraws_an_unassigned_case_gets_it_back(team, api_for):
    case = new_case(team)
    response = post(api_for(team.other_sro), case, "withdraw", reason="Does not qualify.")
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    # Withdrawn and still without an SRO, it has left other_sro's view.
    assert_envelope(api_for(team.other_sro).get(f"/api/v1/cases/{case.pk}/"), 404)
