"""Holds a signed-in session at the second step until its one-time code is verified.

After the password, a user who needs a second factor (``requires_second_factor``) is signed
in but not verified: every page sends them to enter a code (or to set up their app first), and
the API refuses the session with 403. Token-authenticated API requests are not sessions; the
token endpoint asks for the code itself.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from aia.api.exceptions import envelope
from aia.permissions import requires_second_factor
from aia.web.views.auth import second_step_redirect

# What an unverified session may still reach: the second step itself, signing out, assets.
OPEN_PREFIXES = ("/static/", "/assets/", "/healthz/")
OPEN_VIEWS = ("web:two-factor", "web:two-factor-set-up", "web:sign-out")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not self._open(request.path)
            and requires_second_factor(user)
        ):
            return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(OPEN_PREFIXES) or path in {reverse(name) for name in OPEN_VIEWS}

    @staticmethod
    def _refuse(request: HttpRequest, user) -> HttpResponse:
        if request.path.startswith("/api/"):
            message = "Enter the one-time code from your authenticator app in the browser first."
            return JsonResponse(envelope(message, {"reason": "second_factor_required"}), status=403)
        # After the step, back to the page asked for (a form's POST cannot be replayed).
        next_url = request.get_full_path() if request.method == "GET" else ""
        return second_step_redirect(user, next_url)
