"""The admin site: superusers only, and only once their session has entered a one-time code.

Signing in happens on the service's own sign-in page (password, then code, with the lockout
and the security log); the admin's login page only sends people there. Staff status alone
opens nothing.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class AIAAdminSite(admin.AdminSite):
    site_header = "AIA administration"
    site_title = "AIA administration"
    index_title = "Reference data and inspection"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_superuser and getattr(user, "is_verified", lambda: False)()
        )

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in (and past the second step: the middleware sees to that) but not a
            # superuser: the admin is not for them.
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(reverse("web:sign-in") + "?" + urlencode({"next": next_url}))
