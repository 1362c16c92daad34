"""Template context every browser page needs."""

from django.conf import settings
from django.http import HttpRequest


def web(request: HttpRequest) -> dict:
    """Add the service name and the idle timeout (in minutes) to every page."""
    return {
        "service_name": "AIA — Atrocity Impact Assessment",
        "session_timeout_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
