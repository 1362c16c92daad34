"""The access log and the security log."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from aia.exceptions import InvalidInput
from aia.models import AccessRecord, Case, DecisionRecord, Report, SecurityEvent, User


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
    decision_record: DecisionRecord | None = None,
    request: HttpRequest | None = None,
) -> AccessRecord:
    """Record that the user opened the case or its report (the caller checked they may)."""
    return AccessRecord.objects.create(
        user=user,
        case=case,
        report=report,
        decision_record=decision_record,
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


def user_password_change(
    *, user: User, password: str | None, request: HttpRequest | None = None
) -> User:
    """Set an existing user's password, revoke their API token and record the change.

    The caller has validated ``password`` (its form runs the password validators); ``None``
    disables signing in with a password (the admin's "Disabled"). A web session already ends
    when the password changes (Django checks each session against it); a token did not, so
    whoever held it kept the account's access until it expired. Every path that changes a
    password calls this: the admin's password form and ``manage.py changepassword``.
    """
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        revoked, _ = Token.objects.filter(user=user).delete()
        security_event_record(
            kind=SecurityEvent.Kind.PASSWORD_CHANGED,
            user=user,
            request=request,
            details={"api_tokens_revoked": revoked},
        )
    return user


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
