"""Error pages in the service's own design, and GOV.UK Frontend's root-relative assets."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import loader


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render the 403 page (Django's handler403)."""
    return render(request, "403.html", {"message": ""}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render the 404 page (Django's handler404); it never says whether anything exists."""
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render the 500 page (Django's handler500) in the service's design.

    Rendered with the request, so the header shows who is signed in. If that fails too (the
    database is down, say, and the session cannot be read), the page is rendered without it.
    """
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the error page itself must not fail
        return HttpResponse(loader.render_to_string("500.html"), status=500)


def govuk_asset(request: HttpRequest, path: str) -> HttpResponse:
    """Redirect GOV.UK Frontend's ``/assets/…`` URLs to the same file among the static files.

    The compiled CSS names its fonts and images root-relative; a permanent redirect lets the
    static files (hashed and cached in production) serve them without a Sass build.
    """
    try:
        url = staticfiles_storage.url(f"govuk/assets/{path}")
    except ValueError as exc:  # not in the manifest of a hashed storage
        raise Http404("No such asset.") from exc
    return HttpResponsePermanentRedirect(url)
