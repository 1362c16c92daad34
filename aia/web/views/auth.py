"""Signing in and out. Sessions end after ``SESSION_COOKIE_AGE`` seconds without a request."""

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse

from aia.web.errors import error_summary_items
from aia.web.forms import SignInForm


class SignInView(LoginView):
    """Sign in with a username and password."""

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
        messages.success(self.request, f"Signed in as {form.get_user().display_name}.")
        return response


class SignOutView(LogoutView):
    """Sign out (POST only, from the button in the navigation)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response
