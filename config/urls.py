from django.contrib import admin
from django.urls import include, path, re_path

from aia.api.views.misc import RouteNotFoundApi
from aia.views import healthz
from aia.web.views.errors import govuk_asset, page_not_found, permission_denied, server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("api/v1/", include("aia.api.urls")),
    # Any other path under /api/ is a 404 in the error envelope, not an HTML page.
    re_path(r"^api/", RouteNotFoundApi.as_view(), name="api-not-found"),
    # GOV.UK Frontend's compiled CSS asks for /assets/fonts/… and /assets/images/….
    re_path(r"^assets/(?P<path>(?:fonts|images)/[\w.-]+)$", govuk_asset, name="govuk-asset"),
    path("", include("aia.web.urls")),
]

handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error
