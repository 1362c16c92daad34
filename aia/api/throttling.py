"""Throttles for the endpoints worth protecting: signing in and trigger ingestion.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (set from the environment) and are
read on each request, not when the class is defined, so a change of settings applies at once.
Counters live in the default cache, Redis in production (``config.settings.base``: shared by
every process, errors ignored while Redis is down).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _RateFromSettings:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AuthTokenThrottle(_RateFromSettings, AnonRateThrottle):
    """Limit sign-in attempts per client IP address."""

    scope = "auth"


class TriggerIngestThrottle(_RateFromSettings, UserRateThrottle):
    """Limit trigger ingestion per account."""

    scope = "triggers"
