"""The access log and the security log."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from aia.exceptions import InvalidInput
from aia.models import AccessRecord, Case, Report, SecurityEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client's address as the server saw it (proxies are configured upstream)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def access_record(
    *,
    user: User,
    case: Case,
    what: str,
    report: Report | None = None,
    request: HttpRequest | None = None,
) -> AccessRecord:
    """Record that the user opened the case or its report (the caller checked they may)."""
    return AccessRecord.objects.create(
        user=user,
        case=case,
        report=report,
        what=what,
        at=timezone.now(),
        ip_address=client_ip(request),
    )


def security_event_record(
    *,
    kind: str,
    user: User | None = None,
    username: str = "",
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.username if user else ""))[:150],
        at=timezone.now(),
        ip_address=client_ip(request),
        user_agent=agent,
        details=details or {},
    )


def password_changed(*, user: User) -> SecurityEvent:
    """Revoke the user's API token, which their old password obtained, and record the change.

    A web session already ends when the password changes (Django checks each session against
    it); a token did not, so whoever held it kept the account's access until it expired.
    ``User.save`` calls this, in the same transaction, whenever it saves a new password, so
    that every path that sets one (the admin's form, ``manage.py changepassword``) does this.
    """
    revoked, _ = Token.objects.filter(user=user).delete()
    return security_event_record(
        kind=SecurityEvent.Kind.PASSWORD_CHANGED,
        user=user,
        details={"api_tokens_revoked": revoked},
    )


def user_reauthenticate(
    *, user: User, password: str, purpose: str, request: HttpRequest | None = None
) -> None:
    """Check the signed-in user's password again before a consequential step.

    Both outcomes go to the security log; a wrong or missing password is a field error.
    """
    if password and user.check_password(password):
        security_event_record(
            kind=SecurityEvent.Kind.REAUTHENTICATED,
            user=user,
            request=request,
            details={"purpose": purpose},
        )
        return
    security_event_record(
        kind=SecurityEvent.Kind.REAUTHENTICATION_FAILED,
        user=user,
        request=request,
        details={"purpose": purpose},
    )
    message = "Enter your password" if not password else "The password is not correct"
    raise InvalidInput(f"{message}.", {"password": [f"{message}."]})
