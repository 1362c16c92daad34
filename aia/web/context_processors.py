"""Template context every browser page needs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import cached_property

from aia import selectors


class LazyCount:
    """A number asked of the database the first time a page uses it, and only once: a page
    that never shows it never asks."""

    def __init__(self, ask: Callable[[], int]):
        self._ask = ask

    @cached_property
    def value(self) -> int:
        return self._ask()

    def __int__(self) -> int:
        return self.value

    def __float__(self) -> float:
        return float(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __str__(self) -> str:
        return str(self.value)


def web(request: HttpRequest) -> dict:
    """Add the service name, the idle timeout (in minutes) and, for a signed-in user, how
    many of their notifications are unread (for the navigation)."""
    context = {
        "service_name": "AIA — Atrocity Impact Assessment",
        "session_timeout_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = LazyCount(
            lambda: selectors.notification_unread_count(user=user)
        )
    return context
