"""The second factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator app.

Legal advisers, SROs, ministers and superusers (``aia.permissions.requires_second_factor``)
sign in with their password and then a code. The first time, they set up their app from a QR
code; the device stays unconfirmed until a code from it verifies. django-otp keeps the
devices, refuses a code it has already accepted, and slows down repeated wrong codes (each
failure doubles the wait). Every outcome goes to the security log.
"""

import re

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from aia.exceptions import Conflict, InvalidInput
from aia.models import SecurityEvent, User
from aia.services.security import security_event_record

DEVICE_NAME = "Authenticator app"
CODE = re.compile(r"^\d{6}$")
Kind = SecurityEvent.Kind


def second_factor_device(user: User) -> TOTPDevice | None:
    """Return the user's confirmed authenticator device, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_factor_enrolment(*, user: User) -> TOTPDevice:
    """Return the device the user is setting up, creating it (with a new secret) if needed.

    Refused once a device is confirmed: replacing it is an administrator's act, so a stolen
    session cannot quietly add the thief's phone.
    """
    if second_factor_device(user) is not None:
        raise Conflict("An authenticator app is already set up for this account.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def second_factor_confirm(*, request: HttpRequest, user: User, code: str) -> TOTPDevice:
    """Confirm the device being set up with a code from it, and verify the session."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or second_factor_device(user) is not None:
        raise Conflict("There is no authenticator app being set up for this account.")
    device = _check(user=user, device=device, code=code, purpose="set_up", request=request)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Abandoned set-ups (a page reloaded with a new secret) go; only the confirmed stays.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    _verify_session(request, device)
    return device


def second_factor_verify(*, request: HttpRequest, user: User, code: str) -> TOTPDevice:
    """Check a code from the user's confirmed device and mark the session verified."""
    device = second_factor_device(user)
    if device is None:
        raise Conflict("Set up an authenticator app first.")
    device = _check(user=user, device=device, code=code, purpose="sign_in", request=request)
    _verify_session(request, device)
    return device


def second_factor_check(
    *, user: User, code: str, purpose: str, request: HttpRequest | None = None
) -> TOTPDevice:
    """Check a code from the user's confirmed device without a session (the API token)."""
    device = second_factor_device(user)
    if device is None:
        raise InvalidInput(
            "Set up an authenticator app by signing in to the browser first.",
            {"otp": ["Set up an authenticator app by signing in to the browser first."]},
        )
    return _check(user=user, device=device, code=code, purpose=purpose, request=request)


def second_factor_remove(
    *, device: TOTPDevice, actor: User, request: HttpRequest | None = None
) -> None:
    """Remove a user's authenticator app (a lost or replaced phone), as an administrator.

    The user's sessions verified by it stop being verified, and their next sign-in sets up a
    new app. The removal, and who made it, go to the security log.
    """
    with transaction.atomic():
        user, name = device.user, device.name
        device.delete()
        security_event_record(
            kind=Kind.SECOND_FACTOR_REMOVED,
            user=user,
            request=request,
            details={"removed_by": actor.get_username(), "device": name},
        )


def _check(
    *, user: User, device: TOTPDevice, code: str, purpose: str, request: HttpRequest | None
) -> TOTPDevice:
    code = "".join((code or "").split())
    if not CODE.match(code):
        message = (
            "Enter the 6-digit code from your authenticator app"
            if not code
            else "Enter the code as 6 digits, like 123456"
        )
        raise InvalidInput(f"{message}.", {"otp": [f"{message}."]})
    allowed, why = device.verify_is_allowed()
    if not allowed:
        _failed(user, request, purpose, "throttled")
        raise InvalidInput(_throttled_message(why), {"otp": [_throttled_message(why)]})
    # django-otp locks the device row, refuses a code at or before the last accepted one, and
    # records the failure for the back-off.
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        _failed(user, request, purpose, "wrong_code")
        message = "The code is not correct or has expired. Enter the code your app shows now."
        raise InvalidInput(message, {"otp": [message]})
    security_event_record(
        kind=Kind.SECOND_FACTOR_VERIFIED, user=user, request=request, details={"purpose": purpose}
    )
    return verified


def _failed(user: User, request: HttpRequest | None, purpose: str, reason: str) -> None:
    security_event_record(
        kind=Kind.SECOND_FACTOR_FAILED,
        user=user,
        request=request,
        details={"purpose": purpose, "reason": reason},
    )


def _throttled_message(why: dict | None) -> str:
    locked_until = (why or {}).get("locked_until")
    if locked_until is None:
        return "Too many wrong codes. Wait a minute and try again."
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return f"Too many wrong codes. Wait {seconds} seconds and try again."


def _verify_session(request: HttpRequest, device: TOTPDevice) -> None:
    # A new session key for the raised privilege, as Django does at the password step.
    request.session.cycle_key()
    otp_login(request, device)
