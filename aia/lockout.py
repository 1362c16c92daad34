"""What a locked-out sign-in attempt gets back (django-axes' ``AXES_LOCKOUT_CALLABLE``)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """Answer 429: the API's error envelope for API clients, the GOV.UK page for people."""
    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "message": "Too many failed sign-in attempts. Try again later.",
                "extra": {"retry_after": retry_after},
            },
            status=429,
        )
    else:
        response = render(
            request,
            settings.AXES_LOCKOUT_TEMPLATE,
            {
                "failure_limit": settings.AXES_FAILURE_LIMIT,
                "username": (credentials or {}).get("username", ""),
                "cooloff_timedelta": settings.AXES_COOLOFF_TIME,
            },
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response
