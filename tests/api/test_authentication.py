"""Token authentication loads the user's permissions with the token (aia.api.authentication)."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from aia.api.authentication import TokenAuthentication
from aia.models import User
from aia.permissions import ADD_TRIGGER, VIEW_ALL_CASES
from tests.factories import UserFactory, trigger_data

pytestmark = pytest.mark.django_db

EVERY_PERMISSION = [
    f"aia.{codename}"
    for codename in (
        "view_all_cases",
        "assign_case",
        "add_trigger",
        "review_case",
        "sign_off_case",
        "decide_case",
        "edit_case_content",
        "view_trigger",
    )
]


def authenticate(user: User) -> tuple[User, Token]:
    token, _ = Token.objects.get_or_create(user=user)
    return TokenAuthentication().authenticate_credentials(token.key)


def test_every_role_gets_the_permissions_django_would_load(team, django_assert_num_queries):
    # The integration account holds a permission of its own, not through a role group.
    for name, user in team.everyone().items():
        authenticated, token = authenticate(user)
        assert (authenticated.pk, token.user_id, token.user is authenticated) == (
            user.pk,
            user.pk,
            True,
        )
        expected = User.objects.get(pk=user.pk)
        # Every column as the ORM loads it (same values, same types, aware datetimes).
        for field in User._meta.concrete_fields:
            ours, orms = getattr(authenticated, field.attname), getattr(expected, field.attname)
            assert (type(ours), ours) == (type(orms), orms), (name, field.name)
        assert authenticated._state.db == expected._state.db
        assert not authenticated._state.adding
        with django_assert_num_queries(0):
            loaded = authenticated.get_all_permissions()
            answers = [authenticated.has_perm(perm) for perm in EVERY_PERMISSION]
        assert loaded == expected.get_all_permissions(), name
        assert authenticated.get_user_permissions() == expected.get_user_permissions(), name
        assert authenticated.get_group_permissions() == expected.get_group_permissions(), name
        assert answers == [expected.has_perm(perm) for perm in EVERY_PERMISSION], name


def test_the_token_and_the_permissions_take_two_queries(team, django_assert_max_num_queries):
    token, _ = Token.objects.get_or_create(user=team.sro)
    with django_assert_max_num_queries(2):
        user, _ = TokenAuthentication().authenticate_credentials(token.key)
        assert user.has_perm(ADD_TRIGGER)
        assert not user.has_perm(VIEW_ALL_CASES)


def test_a_superuser_has_every_permission(db):
    admin = UserFactory(username="admin", is_superuser=True)
    user, _ = authenticate(admin)
    assert user.has_perm(VIEW_ALL_CASES)
    assert user.get_all_permissions() == {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()
    }


def test_unknown_tokens_and_inactive_users_are_refused_as_drf_refuses_them(team):
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        TokenAuthentication().authenticate_credentials("not-a-token")
    token, _ = Token.objects.get_or_create(user=team.lead)
    User.objects.filter(pk=team.lead.pk).update(is_active=False)
    with pytest.raises(AuthenticationFailed, match="User inactive or deleted"):
        TokenAuthentication().authenticate_credentials(token.key)


def test_a_permission_removed_is_gone_on_the_next_request(team, api_for):
    client = api_for(team.integration)
    assert client.post("/api/v1/triggers/", trigger_data(), format="json").status_code == 201
    team.integration.user_permissions.clear()
    assert client.post("/api/v1/triggers/", trigger_data(), format="json").status_code == 403
