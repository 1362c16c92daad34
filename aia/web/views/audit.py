"""A case's audit trail, for whoever may see the case; its access log and the security log,
for auditors; its evidence bundle, for auditors and the case's SRO."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aia import selectors
from aia.bundles import bundle_build, bundle_filename
from aia.models import AccessRecord
from aia.services.security import access_record
from aia.web import timeline
from aia.web.errors import web_view

PAGE_SIZE = 100


class SecurityLogFilterForm(forms.Form):
    username = forms.CharField(required=False, max_length=150, label="Username")


def _page(request: HttpRequest, rows) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@web_view
def audit_trail(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Every entry of the case's audit trail, newest first, a page at a time."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    page, entries = timeline.trail_page(case, request.GET.get("page"))
    return render(
        request,
        "aia/web/audit_trail.html",
        {"case": case, "page": page, "entries": entries, "group_minutes": timeline.GROUP_MINUTES},
    )


@web_view
def access_log(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Who viewed the case page and opened its reports, when and from where; newest first."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    page = _page(request, selectors.access_record_list(case=case, user=request.user))
    return render(request, "aia/web/access_log.html", {"case": case, "page": page})


@require_GET
@web_view
def evidence_bundle(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Send the case's evidence bundle (a ZIP that ``manage.py verify_bundle`` checks), to
    auditors and the case's SRO; every download is recorded in the access log."""
    case = selectors.case_get_for_bundle(user=request.user, case_id=case_id)
    bundle = bundle_build(case=case)
    access_record(
        user=request.user, case=case, what=AccessRecord.What.BUNDLE_DOWNLOADED, request=request
    )
    response = FileResponse(
        bundle, as_attachment=True, filename=bundle_filename(case), content_type="application/zip"
    )
    # Marked material: never keep a copy in a shared or browser cache.
    response["Cache-Control"] = "private, no-store"
    return response


@web_view
def security_log(request: HttpRequest) -> HttpResponse:
    """Sign-ins, sign-outs, failed attempts, lockouts, one-time codes and password re-entries."""
    form = SecurityLogFilterForm(request.GET or None)
    username = form.cleaned_data["username"].strip() if form.is_valid() else ""
    page = _page(request, selectors.security_event_list(user=request.user, username=username))
    return render(
        request,
        "aia/web/security_log.html",
        {
            "page": page,
            "form": form,
            "username": username,
            "filter_query": urlencode({"username": username}) if username else "",
        },
    )
