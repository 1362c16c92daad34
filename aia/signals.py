"""Authentication events go to the security log.

Django and django-axes announce them with signals; this is the one place the app listens,
and it only records what happened.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from aia.models import SecurityEvent
from aia.services.security import security_event_record

Kind = SecurityEvent.Kind


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    security_event_record(kind=Kind.SIGNED_IN, user=user, request=request)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=Kind.SIGNED_OUT, user=user, request=request)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    security_event_record(
        kind=Kind.SIGN_IN_FAILED, username=str(credentials.get("username", "")), request=request
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    security_event_record(kind=Kind.LOCKED_OUT, username=username or "", request=request)
