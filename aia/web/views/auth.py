"""Signing in and out. Sessions end after ``SESSION_COOKIE_AGE`` seconds without a request.

Signing in takes a password and, for the roles that need it (``requires_second_factor``), a
one-time code from an authenticator app: the password signs the session in, the code verifies
it (``aia.web.middleware.SecondFactorMiddleware`` holds unverified sessions at that step).
The first time, the user sets the app up from a QR code on the set-up page.
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from aia.exceptions import Conflict, InvalidInput
from aia.permissions import requires_second_factor
from aia.services.second_factor import (
    second_factor_confirm,
    second_factor_device,
    second_factor_enrolment,
    second_factor_verify,
)
from aia.web.errors import add_field_errors, error_summary_items
from aia.web.forms import OneTimeCodeForm, SignInForm


class SignInView(LoginView):
    """Sign in with a username and password (then a one-time code, for some roles)."""

    template_name = "aia/web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["errors"] = error_summary_items(form) if form.is_bound else []
        return context

    def form_valid(self, form: SignInForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if requires_second_factor(user):
            # Signed in, not yet verified: the middleware would send them here anyway.
            return second_step_redirect(user, self.get_success_url())
        messages.success(self.request, f"Signed in as {user.display_name}.")
        return response


class SignOutView(LogoutView):
    """Sign out (POST only, from the button in the navigation)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: the code from the user's authenticator app."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified() or not requires_second_factor(user):
        return HttpResponseRedirect(next_url)
    if second_factor_device(user) is None:
        return _to_step("web:two-factor-set-up", next_url)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_verify(request=request, user=user, code=form.cleaned_data["otp"])
        except InvalidInput as error:
            add_field_errors(form, error.fields)
        else:
            messages.success(request, f"Signed in as {user.display_name}.")
            return HttpResponseRedirect(next_url)
    return render(
        request,
        "aia/web/two_factor.html",
        {"form": form, "next": next_url, "errors": error_summary_items(form)},
        status=400 if form.errors else 200,
    )


@login_required
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then enter a code."""
    user = request.user
    next_url = _next_url(request)
    if not requires_second_factor(user):
        return HttpResponseRedirect(next_url)
    try:
        device = second_factor_enrolment(user=user)
    except Conflict:
        # Already set up: verifying is the next step (or nothing, if verified).
        return _to_step("web:two-factor", next_url)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_confirm(request=request, user=user, code=form.cleaned_data["otp"])
        except InvalidInput as error:
            add_field_errors(form, error.fields)
        else:
            messages.success(
                request, f"Your authenticator app is set up. Signed in as {user.display_name}."
            )
            return HttpResponseRedirect(next_url)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "aia/web/two_factor_set_up.html",
        {
            "form": form,
            "next": next_url,
            "errors": error_summary_items(form),
            "issuer": settings.OTP_TOTP_ISSUER,
            # segno draws the device's otpauth:// URL as SVG paths: the username in it is
            # encoded in the code's modules, never written into the SVG as text.
            "qr_svg": mark_safe(  # noqa: S308 - segno's own path-only SVG
                segno.make(device.config_url, error="m").svg_inline(
                    scale=5, dark="#0b0c0c", light="#ffffff", omitsize=False
                )
            ),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
        status=400 if form.errors else 200,
    )


def _next_url(request: HttpRequest) -> str:
    """Return where to go after the second step: a safe ``next`` or the dashboard."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def second_step_redirect(user, next_url: str = "") -> HttpResponse:
    """Send a signed-in, unverified user to their second step: the code, or setting up an
    app if they have none yet; then on to ``next_url``."""
    step = "web:two-factor" if second_factor_device(user) else "web:two-factor-set-up"
    return _to_step(step, next_url)


def _to_step(step: str, next_url: str) -> HttpResponse:
    query = "?" + urlencode({"next": next_url}) if next_url else ""
    return HttpResponseRedirect(reverse(step) + query)
