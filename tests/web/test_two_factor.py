"""Signing in with a one-time code: legal advisers, SROs, ministers and superusers.

Driven through the pages as a browser would post them; the tests play the authenticator app
with the key the set-up page shows (or the device's key).
"""

import re
from base64 import b32decode
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from aia.models import SecurityEvent
from aia.models.choices import CaseState
from tests.factories import PASSWORD, UserFactory, case_in_state
from tests.signing_in import sign_in_verified, totp_code, totp_device

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("web:sign-in")
CODE = reverse("web:two-factor")
SET_UP = reverse("web:two-factor-set-up")
Kind = SecurityEvent.Kind


def password_step(username: str, next_url: str = "") -> tuple[Client, str]:
    """Post the right password; return the client and where the site sends it."""
    client = Client()
    body = {"username": username, "password": PASSWORD}
    if next_url:
        body["next"] = next_url
    response = client.post(SIGN_IN, body)
    assert response.status_code == 302, response.content[:500]
    return client, response["Location"]


def path_and_next(location: str) -> tuple[str, str]:
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query).get("next", [""])[0]


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def test_an_official_signs_in_with_the_password_alone(team):
    _client, location = password_step("lead")
    assert location == reverse("web:dashboard")


def test_first_sign_in_sets_up_the_app_from_the_key_on_the_page(team):
    client, location = password_step("sro")
    assert path_and_next(location) == (SET_UP, reverse("web:dashboard"))
    page = client.get(location)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="segno"' in body  # the QR code, inline SVG
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    key = b32decode(secret)

    # Until a code verifies, the session opens nothing.
    assert client.get(reverse("web:dashboard"))["Location"].startswith(SET_UP)
    response = client.post(SET_UP, {"otp": wrong(totp_code(key)), "next": "/"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=team.sro, confirmed=True).exists()

    device = TOTPDevice.objects.get(user=team.sro)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(SET_UP, {"otp": totp_code(key), "next": "/"})
    assert response["Location"] == "/"
    assert client.get(reverse("web:dashboard")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert list(
        SecurityEvent.objects.filter(user=team.sro)
        .exclude(kind=Kind.SIGNED_IN)
        .values_list("kind", "details")
        .order_by("at", "pk")
    ) == [
        (Kind.SECOND_FACTOR_FAILED, {"purpose": "set_up", "reason": "wrong_code"}),
        (Kind.SECOND_FACTOR_VERIFIED, {"purpose": "set_up"}),
    ]


@pytest.mark.parametrize("username", ["legal", "sro", "minister"])
def test_a_set_up_user_enters_the_code_and_lands_where_they_were_going(team, username):
    user = team.everyone()[username]
    device = totp_device(user)
    case = case_in_state(team, CaseState.WITH_MINISTER)
    case_page = reverse("web:case", kwargs={"case_id": case.pk})
    client, location = password_step(username, next_url=case_page)
    assert path_and_next(location) == (CODE, case_page)
    assert "Enter the code from your authenticator app" in client.get(location).content.decode()

    # Held at the code step: pages redirect back to it, the API refuses the session.
    held = client.get(case_page)
    assert path_and_next(held["Location"]) == (CODE, case_page)
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert api.json()["extra"] == {"reason": "second_factor_required"}

    response = client.post(CODE, {"otp": totp_code(device), "next": case_page})
    assert response["Location"] == case_page
    assert client.get(case_page).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_a_wrong_code_is_explained_then_slowed_down(team):
    device = totp_device(team.legal)
    client, _ = password_step("legal")
    response = client.post(CODE, {"otp": wrong(totp_code(device))})
    assert response.status_code == 400
    assert "The code is not correct or has expired" in response.content.decode()
    # Straight after a failure even the right code waits: each failure doubles the wait.
    response = client.post(CODE, {"otp": totp_code(device)})
    assert response.status_code == 400
    assert re.search(r"Too many wrong codes\. Wait \d+ seconds", response.content.decode())
    assert client.get(reverse("web:dashboard"))["Location"].startswith(CODE)


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "1234567"])
def test_malformed_codes_are_field_errors(team, typed):
    totp_device(team.sro)
    client, _ = password_step("sro")
    response = client.post(CODE, {"otp": typed})
    assert response.status_code == 400
    assert 'href="#id_otp"' in response.content.decode()


def test_a_code_works_once(team):
    device = totp_device(team.sro)
    code = totp_code(device)
    first, _ = password_step("sro")
    assert first.post(CODE, {"otp": code})["Location"] == reverse("web:dashboard")
    second, _ = password_step("sro")
    assert second.post(CODE, {"otp": code}).status_code == 400


def test_the_key_is_never_shown_again_once_set_up(team):
    totp_device(team.minister)
    client, _ = password_step("minister")
    response = client.get(SET_UP)
    assert path_and_next(response["Location"])[0] == CODE


def test_next_cannot_leave_the_site(team):
    device = totp_device(team.sro)
    client, _ = password_step("sro")
    response = client.post(CODE, {"otp": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:dashboard")


def test_signing_out_from_the_code_step_works(team):
    totp_device(team.sro)
    client, _ = password_step("sro")
    assert client.post(reverse("web:sign-out")).status_code == 302
    assert client.get(CODE)["Location"].startswith(SIGN_IN)


# ------------------------------------------------------------------------------
# The admin
# ------------------------------------------------------------------------------
@pytest.fixture
def superuser(team):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_the_admin_sends_strangers_to_the_service_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert path_and_next(login["Location"]) == (SIGN_IN, "/admin/")


def test_the_admin_is_closed_to_staff_who_are_not_superusers(team):
    staff = UserFactory(username="staff", is_staff=True)
    client = sign_in_verified(Client(), staff)
    assert client.get("/admin/", follow=True).status_code == 403
    sro = sign_in_verified(Client(), team.sro)
    assert sro.get("/admin/", follow=True).status_code == 403


def test_a_superuser_needs_the_code_before_the_admin_opens(team, superuser):
    device = totp_device(superuser)
    client, location = password_step("root", next_url="/admin/")
    assert path_and_next(location) == (CODE, "/admin/")
    assert path_and_next(client.get("/admin/")["Location"])[0] == CODE
    assert client.post(CODE, {"otp": totp_code(device), "next": "/admin/"})["Location"] == (
        "/admin/"
    )
    assert client.get("/admin/").status_code == 200


def test_a_superuser_removes_a_lost_app_and_the_user_sets_up_a_new_one(team, superuser):
    device = totp_device(team.sro)
    sro = sign_in_verified(Client(), team.sro)
    assert sro.get(reverse("web:dashboard")).status_code == 200
    admin = sign_in_verified(Client(), superuser)
    change_list = reverse("admin:otp_totp_totpdevice_changelist")
    listing = admin.get(change_list).content.decode()
    assert str(team.sro) in listing
    assert device.key not in listing
    # No one adds a device for someone else, or reads or edits its key.
    assert admin.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    detail = admin.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert device.key not in detail.content.decode()

    response = admin.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=team.sro).exists()
    event = SecurityEvent.objects.get(kind=Kind.SECOND_FACTOR_REMOVED)
    assert (event.user, event.details) == (
        team.sro,
        {"removed_by": "root", "device": device.name},
    )
    # The session it verified is verified no more; the next step is a new app.
    assert sro.get(reverse("web:dashboard"))["Location"].startswith(SET_UP)
