"""Signing test clients in as a user would be after both steps (password and one-time code).

Tests that are not about signing in use ``sign_in_verified``; tests about the second step use
``totp_device`` and ``totp_code`` to act as the user's authenticator app.
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from aia.models import User
from aia.permissions import requires_second_factor


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice:
    """Return the user's authenticator device, creating a confirmed one if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=confirmed)


def totp_code(device_or_key: TOTPDevice | bytes, *, at: float | None = None) -> str:
    """Return the code an authenticator app holding the device's key shows (now, or ``at``)."""
    key = device_or_key if isinstance(device_or_key, bytes) else device_or_key.bin_key
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def fresh_totp_code(user: User) -> str:
    """Return a code the site will accept now for the user, even if one was used this step.

    django-otp rightly refuses a code from a time step it has already accepted; tests that sign
    the same user in twice within 30 seconds forget the last one, as if time had passed.
    """
    device = totp_device(user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return totp_code(device)


def sign_in_verified(client: Client, user: User) -> Client:
    """Sign the client in as the user, past the second step when their role needs one."""
    client.force_login(user)
    if requires_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client


def assert_password_changed(user: User, password: str | None) -> None:
    """Assert that the user's password is now ``password`` (``None``: signing in with a
    password is off), their API token revoked, and the change logged once."""
    from rest_framework.authtoken.models import Token

    from aia.models import SecurityEvent

    user.refresh_from_db()
    if password is None:
        assert not user.has_usable_password()
    else:
        assert user.check_password(password)
    assert not Token.objects.filter(user=user).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert (event.user, event.details) == (user, {"api_tokens_revoked": 1})
