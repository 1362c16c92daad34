"""POST /api/v1/auth/token/ and token authentication."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from aia.models import SecurityEvent, Trigger
from tests.api.helpers import assert_envelope, field_errors
from tests.factories import PASSWORD, UserFactory, trigger_data
from tests.signing_in import fresh_totp_code, sign_in_verified, totp_code, totp_device

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_valid_credentials_get_a_token_that_authenticates(team, anon):
    response = anon.post(
        TOKEN_URL,
        {"username": "sro", "password": PASSWORD, "otp": fresh_totp_code(team.sro)},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=team.sro).key == token
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon.get("/api/v1/cases/").status_code == 200


def test_signing_in_again_returns_the_same_token(team, anon):
    first = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    second = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    assert first.json() == second.json()


def _issued_ago(key: str, age: datetime.timedelta) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - age)


def test_a_token_says_when_it_expires_and_works_until_then(team, anon):
    before = timezone.now()
    answer = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    expires_at = datetime.datetime.fromisoformat(answer.json()["expires_at"])
    assert before + datetime.timedelta(hours=24) <= expires_at
    assert expires_at <= timezone.now() + datetime.timedelta(hours=24)
    key = answer.json()["token"]
    _issued_ago(key, datetime.timedelta(hours=23, minutes=59))
    anon.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anon.get("/api/v1/cases/").status_code == 200


def test_an_expired_token_is_refused_changes_nothing_and_signing_in_issues_a_new_one(team, anon):
    old = anon.post(TOKEN_URL, {"username": "feed", "password": PASSWORD}, format="json")
    old_key = old.json()["token"]
    _issued_ago(old_key, datetime.timedelta(hours=24, seconds=1))
    anon.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    refused = anon.post("/api/v1/triggers/", trigger_data(), format="json")
    body = assert_envelope(refused, 401)
    assert "expired" in body["message"]
    assert refused["WWW-Authenticate"] == "Token"
    assert not Trigger.objects.exists()
    assert_envelope(anon.get("/api/v1/cases/"), 401)

    anon.credentials()
    new = anon.post(TOKEN_URL, {"username": "feed", "password": PASSWORD}, format="json")
    new_key = new.json()["token"]
    assert new_key != old_key
    assert not Token.objects.filter(key=old_key).exists()
    assert datetime.datetime.fromisoformat(new.json()["expires_at"]) > timezone.now()
    anon.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert anon.post("/api/v1/triggers/", trigger_data(), format="json").status_code == 201
    anon.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert_envelope(anon.get("/api/v1/cases/"), 401)


def test_the_lifetime_is_a_setting(team, api_for, settings):
    settings.AIA_API_TOKEN_LIFETIME = datetime.timedelta(minutes=5)
    client = api_for(team.lead)
    key = Token.objects.get(user=team.lead).key
    _issued_ago(key, datetime.timedelta(minutes=4))
    assert client.get("/api/v1/cases/").status_code == 200
    _issued_ago(key, datetime.timedelta(minutes=5))
    assert_envelope(client.get("/api/v1/cases/"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "sro", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
    ],
    ids=["wrong-password", "unknown-user"],
)
def test_bad_credentials_are_400_without_saying_which_part_is_wrong(team, anon, body):
    response = anon.post(TOKEN_URL, body, format="json")
    assert field_errors(response) == {
        "non_field_errors": ["Unable to sign in with that username and password."]
    }
    assert not Token.objects.exists()


def test_inactive_users_get_no_token(team, anon):
    team.lead.is_active = False
    team.lead.save(update_fields=["is_active"])
    response = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    assert_envelope(response, 400)


def test_missing_fields_are_field_errors(anon):
    assert set(field_errors(anon.post(TOKEN_URL, {}, format="json"))) == {"username", "password"}


def test_an_existing_token_of_an_inactive_user_stops_working(team, api_for):
    client = api_for(team.lead)
    team.lead.is_active = False
    team.lead.save(update_fields=["is_active"])
    assert_envelope(client.get("/api/v1/cases/"), 401)


def test_sign_in_is_throttled_per_address_with_a_clear_429(team, anon, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/min", "triggers": "100/min"},
    }
    body = {"username": "sro", "password": "wrong-password"}
    for _ in range(3):
        assert_envelope(anon.post(TOKEN_URL, body, format="json"), 400)
    response = anon.post(TOKEN_URL, {"username": "sro", "password": PASSWORD}, format="json")
    envelope = assert_envelope(response, 429)
    assert 0 < envelope["extra"]["retry_after"] <= 60
    assert response["Retry-After"] == str(envelope["extra"]["retry_after"])
    assert "try again" in envelope["message"]
    # Another address is not affected.
    other = anon.post(
        TOKEN_URL,
        {"username": "lead", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.9.8.7",
    )
    assert other.status_code == 200


def _wrong_passwords(anon, forwarded_for):
    body = {"username": "sro", "password": "wrong-password"}
    return [
        anon.post(TOKEN_URL, body, format="json", HTTP_X_FORWARDED_FOR=address).status_code
        for address in forwarded_for
    ]


def test_the_sign_in_throttle_ignores_an_x_forwarded_for_the_client_wrote(team, anon, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/min", "triggers": "100/min"},
    }
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0  # the default: no proxy is trusted
    forged = [f"198.51.100.{n}" for n in range(5)]
    assert _wrong_passwords(anon, forged) == [400, 400, 400, 429, 429]


def test_behind_a_configured_proxy_the_throttle_keys_on_the_forwarded_client(team, anon, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/min", "triggers": "100/min"},
        "NUM_PROXIES": 1,
    }
    # Each client the proxy forwards has an allowance of its own; the same one runs out.
    assert _wrong_passwords(anon, ["198.51.100.1", "198.51.100.2"]) == [400, 400]
    assert _wrong_passwords(anon, ["203.0.113.9, 198.51.100.1"] * 3) == [400, 400, 429]


def test_a_locked_out_sign_in_answers_the_envelope_not_a_page(team, anon, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "1000/min", "triggers": "100/min"},
    }
    body = {"username": "lead", "password": "wrong-password"}
    responses = [anon.post(TOKEN_URL, body, format="json") for _ in range(20)]
    assert responses[0].status_code == 400
    locked = responses[-1]
    envelope = assert_envelope(locked, 429)
    assert envelope["extra"]["retry_after"] > 0
    assert locked["Retry-After"] == str(envelope["extra"]["retry_after"])
    # Even the right password waits until the lockout ends.
    right = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    assert_envelope(right, 429)


# ------------------------------------------------------------------------------
# The second factor
# ------------------------------------------------------------------------------
def test_an_official_needs_no_code(team, anon):
    response = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("username", ["sro", "legal", "minister"])
def test_roles_with_a_second_factor_get_no_token_without_the_code(team, anon, username):
    totp_device(team.everyone()[username])
    response = anon.post(TOKEN_URL, {"username": username, "password": PASSWORD}, format="json")
    assert field_errors(response) == {
        "otp": ["Enter the 6-digit code from your authenticator app."]
    }
    assert not Token.objects.exists()


def test_a_wrong_code_gets_no_token_and_is_logged(team, anon):
    from aia.models import SecurityEvent

    device = totp_device(team.sro)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = anon.post(
        TOKEN_URL, {"username": "sro", "password": PASSWORD, "otp": wrong}, format="json"
    )
    assert field_errors(response) == {
        "otp": ["The code is not correct or has expired. Enter the code your app shows now."]
    }
    assert not Token.objects.exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED)
    assert (event.user, event.details) == (
        team.sro,
        {"purpose": "api_token", "reason": "wrong_code"},
    )


def test_a_code_is_accepted_once_only(team, anon):
    code = fresh_totp_code(team.sro)
    body = {"username": "sro", "password": PASSWORD, "otp": code}
    assert anon.post(TOKEN_URL, body, format="json").status_code == 200
    replay = anon.post(TOKEN_URL, body, format="json")
    assert set(field_errors(replay)) == {"otp"}


def test_a_user_without_an_app_is_told_to_set_one_up_in_the_browser(team, anon):
    response = anon.post(
        TOKEN_URL, {"username": "legal", "password": PASSWORD, "otp": "123456"}, format="json"
    )
    assert field_errors(response) == {
        "otp": ["Set up an authenticator app by signing in to the browser first."]
    }


def test_the_code_is_not_asked_before_the_password_is_right(team, anon):
    totp_device(team.sro)
    response = anon.post(TOKEN_URL, {"username": "sro", "password": "wrong"}, format="json")
    assert field_errors(response) == {
        "non_field_errors": ["Unable to sign in with that username and password."]
    }


def test_a_new_password_revokes_the_api_token_and_is_logged(team, anon, client):
    old_key = anon.post(TOKEN_URL, {"username": "feed", "password": PASSWORD}, format="json")
    old_key = old_key.json()["token"]
    admin = sign_in_verified(
        client, UserFactory(username="admin", is_staff=True, is_superuser=True)
    )
    new_password = "a quite different passphrase 7"
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[team.integration.pk]),
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    anon.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert_envelope(anon.post("/api/v1/triggers/", trigger_data(), format="json"), 401)
    assert not Trigger.objects.exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert event.user == team.integration
    assert event.details == {"api_tokens_revoked": 1}

    anon.credentials()
    assert_envelope(
        anon.post(TOKEN_URL, {"username": "feed", "password": PASSWORD}, format="json"), 400
    )
    new_key = anon.post(TOKEN_URL, {"username": "feed", "password": new_password}, format="json")
    anon.credentials(HTTP_AUTHORIZATION=f"Token {new_key.json()['token']}")
    assert anon.post("/api/v1/triggers/", trigger_data(), format="json").status_code == 201


def test_saving_an_account_without_a_new_password_keeps_its_token(team, anon):
    key = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    key = key.json()["token"]
    team.lead.job_title = "Desk officer"
    team.lead.save()
    # Signing in again checks the password (Django may re-hash it: not a change).
    again = anon.post(TOKEN_URL, {"username": "lead", "password": PASSWORD}, format="json")
    assert again.json()["token"] == key
    anon.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anon.get("/api/v1/cases/").status_code == 200
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()
