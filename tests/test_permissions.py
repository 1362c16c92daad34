"""Need-to-know: one predicate and one queryset filter decide who sees a case, and they agree."""

import pytest
from django.contrib.auth.models import Permission

from aia import permissions, selectors
from aia.exceptions import NotFound
from aia.models import Case
from aia.models.choices import CaseState, Marking, Role
from aia.permission_loading import users_with_permission
from aia.services import cases as s
from tests.factories import UserFactory, case_in_state, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(team):
    triggered = new_case(team)
    scoping = case_in_state(team, CaseState.SCOPING)
    official_only = case_in_state(team, CaseState.SCOPING)
    withdrawn = case_in_state(team, CaseState.WITHDRAWN)
    return {
        "triggered": triggered,
        "scoping": scoping,
        "official_only": official_only,
        "withdrawn": withdrawn,
    }


def _all_users(team):
    users = dict(team.everyone())
    chief = UserFactory(username="chief_sro", roles=[Role.SRO])
    chief.user_permissions.add(Permission.objects.get(codename="view_all_cases"))
    users["chief_sro"] = chief
    users["uncleared_auditor"] = UserFactory(
        username="uncleared_auditor", roles=[Role.AUDITOR], clearance="OFFICIAL"
    )
    users["inactive_lead"] = UserFactory(
        username="inactive", roles=[Role.OFFICIAL], is_active=False
    )
    return users


def test_predicate_and_queryset_agree_for_every_user_and_case(team, cases):
    for attribute, user in _all_users(team).items():
        user = type(user).objects.get(pk=user.pk)  # fresh permission cache
        listed = set(selectors.case_list_for_user(user=user).values_list("pk", flat=True))
        for name, case in cases.items():
            case = Case.objects.get(pk=case.pk)
            assert permissions.can_view_case(case, user) == (case.pk in listed), (attribute, name)


def test_who_sees_what(team, cases):
    users = _all_users(team)

    def visible(user):
        user = type(user).objects.get(pk=user.pk)
        ids = set(selectors.case_list_for_user(user=user).values_list("pk", flat=True))
        return {name for name, case in cases.items() if case.pk in ids}

    everything = set(cases)
    assert visible(users["lead"]) == everything - {"triggered"}
    assert visible(users["auditor"]) == everything
    assert visible(users["chief_sro"]) == everything
    # Any SRO sees a case awaiting a team; only the case's own SRO sees it afterwards.
    assert visible(users["other_sro"]) == {"triggered"}
    assert visible(users["sro"]) == everything
    assert visible(users["other_official"]) == set()
    assert visible(users["outsider"]) == set()
    assert visible(users["integration"]) == set()
    assert visible(users["uncleared_auditor"]) == set()
    assert visible(users["inactive_lead"]) == set()


def test_clearance_covers_only_markings_up_to_it(team):
    official_case = new_case(team, marking="OFFICIAL")
    sensitive_case = new_case(team)
    auditor = UserFactory(username="aud", roles=[Role.AUDITOR], clearance="OFFICIAL")
    visible = set(selectors.case_list_for_user(user=auditor).values_list("pk", flat=True))
    assert official_case.pk in visible
    assert sensitive_case.pk not in visible


def test_missing_and_forbidden_cases_both_answer_not_found(team, cases):
    case = cases["scoping"]
    assert selectors.case_get_for_user(user=team.lead, case_id=case.pk) == case
    for case_id in (case.pk, "00000000-0000-0000-0000-000000000000", "not-a-uuid", None):
        with pytest.raises(NotFound) as excinfo:
            selectors.case_get_for_user(user=team.outsider, case_id=case_id)
        assert excinfo.value.message == "Case not found."


def test_available_transitions_are_exactly_those_the_user_may_take(team):
    case = case_in_state(team, CaseState.SIGN_OFF)
    assert selectors.case_available_transitions(case=case, user=team.sro) == [
        "return_for_revision",
        "sign_off",
        "withdraw",
    ]
    assert selectors.case_available_transitions(case=case, user=team.lead) == []
    assert selectors.case_available_transitions(case=case, user=team.legal) == []


def test_moving_off_the_team_removes_access(team):
    case = case_in_state(team, CaseState.SCOPING)
    assert permissions.can_view_case(case, team.official)
    s.case_team_update(
        case=case,
        actor=team.sro,
        lead_official=team.lead,
        legal_adviser=team.legal,
        officials=[],
        minister=team.minister,
    )
    case = Case.objects.get(pk=case.pk)
    assert not permissions.can_view_case(case, team.official)
    assert case.events.filter(type="team_changed").count() == 1


def test_users_with_a_permission_are_its_active_cleared_holders_only(
    team, django_assert_num_queries
):
    assign = Permission.objects.get(codename="assign_case")
    own_holder = UserFactory(username="own_holder", roles=[Role.OFFICIAL])
    own_holder.user_permissions.add(assign)
    UserFactory(username="inactive_sro", roles=[Role.SRO], is_active=False)
    UserFactory(username="uncleared_sro", roles=[Role.SRO], clearance=Marking.OFFICIAL)
    UserFactory(username="root", is_superuser=True)  # every permission, but not given this

    with django_assert_num_queries(2):  # the holders, then their permissions
        holders = users_with_permission(
            permissions.ASSIGN_CASE,
            clearances=Marking.clearances_covering(Marking.OFFICIAL_SENSITIVE),
        )
    assert [user.username for user in holders] == ["sro", "other_sro", "own_holder"]
    # Their permissions came with them: asking needs no query.
    with django_assert_num_queries(0):
        assert all(user.has_perm(permissions.ASSIGN_CASE) for user in holders)
        assert holders[0].has_perm("aia.sign_off_case")
        assert holders[2].has_perm("aia.edit_case_content")
        assert not holders[2].has_perm("aia.sign_off_case")
