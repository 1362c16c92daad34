"""The SRO's sign-off page (standing approvals, the DRAFT report, password re-entry) and the
minister's page (the signed report and the decision)."""

import base64
import hashlib
import re
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from aia import selectors
from aia.exceptions import InvalidInput, PermissionRefused
from aia.models.choices import ReportStatus
from aia.reports.presentation import report_context
from aia.reports.rendering import render_html
from aia.reports.snapshot import build_snapshot
from aia.services.cases import case_record_decision, case_sign_off
from aia.services.decision_records import decision_record_download_record
from aia.services.reports import report_download_record
from aia.services.security import user_reauthenticate
from aia.services.transitions import TRANSITIONS
from aia.stored_files import decision_record_file_open, report_file_open
from aia.web import selectors as web_selectors
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.forms import DecisionForm, SignOffForm
from aia.web.transitions import transition_refusal
from aia.web.views.cases import redirect_after_action


@web_view
def sign_off(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Show what the SRO signs, and sign off after re-entering the password (POST)."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    refusal = transition_refusal(case, user, "sign_off")
    if refusal is not None:
        raise refusal
    form = SignOffForm(request.POST if request.method == "POST" else None)
    unplaced: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            case_sign_off(
                case=case,
                actor=user,
                password=form.cleaned_data["password"],
                comment=form.cleaned_data["comment"],
            )
        except InvalidInput as error:
            unplaced = add_field_errors(form, error.fields)
        except PermissionRefused as error:
            # A wrong password comes back as a field error, not a refusal page.
            fields = error.extra.get("fields")
            if not fields:
                raise
            unplaced = add_field_errors(form, fields)
        else:
            messages.success(request, TRANSITIONS["sign_off"].success)
            return redirect_after_action(request, case)
    return render(
        request,
        "aia/web/sign_off.html",
        {
            "case": case,
            "form": form,
            "approvals": list(web_selectors.approval_list_current(case=case)),
            "dissents": list(web_selectors.dissent_list(case=case)),
            "errors": error_summary_items(
                form, messages=[m for ms in unplaced.values() for m in ms]
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@xframe_options_sameorigin
@web_view
def report_preview(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Render the report as it would be signed now, marked DRAFT on every page.

    Framed by the sign-off page, so this one response may be framed by the same origin.
    """
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    html = render_html(build_snapshot(case), draft=True)
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    # The report carries its print stylesheet inline. Allow exactly that stylesheet, by its
    # hash, on this one response, so the site's CSP needs no 'unsafe-inline' (django-csp reads
    # ``_csp_update``; without it the attribute is ignored).
    response._csp_update = {"style-src": [_csp_hash(css) for css in _STYLE.findall(html)]}
    return response


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@web_view
def minister(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Show the signed report to the minister and record the decision (POST)."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    refusal = transition_refusal(case, user, "record_decision")
    if refusal is not None:
        raise refusal
    options = list(web_selectors.option_list_recommended(case=case))
    form = DecisionForm(request.POST if request.method == "POST" else None, options=options)
    unplaced: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            user_reauthenticate(
                user=user,
                password=form.cleaned_data["password"],
                purpose="record_decision",
                request=request,
            )
            case_record_decision(
                case=case,
                actor=user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                option_decisions=form.option_decisions(),
            )
        except InvalidInput as error:
            unplaced = add_field_errors(form, error.fields, rename=form.error_field_names())
        else:
            messages.success(request, TRANSITIONS["record_decision"].success)
            return redirect_after_action(request, case)
    report = web_selectors.report_ready_current(case=case)
    return render(
        request,
        "aia/web/minister.html",
        {
            "case": case,
            "form": form,
            "options": options,
            "report": report,
            **submission_context(report),
            "can_request_revision": "request_revision"
            in selectors.case_available_transitions(case=case, user=user),
            "errors": error_summary_items(
                form, messages=[m for ms in unplaced.values() for m in ms]
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


# The classes the shared submission text takes on a GOV.UK page.
GOVUK_CLASSES = {
    "h": "govuk-heading-s govuk-!-margin-bottom-2",
    "p": "govuk-body",
    "pre": "aia-prewrap",
    "strong": "govuk-!-font-weight-bold",
    "table": "govuk-table",
    "caption": "govuk-table__caption govuk-table__caption--s",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
}


def submission_context(report: Any) -> dict[str, Any]:
    """Return what the minister's page needs to show the submission, from the signed
    report's frozen snapshot, so that the page says exactly what the PDF says."""
    if report is None:
        return {}
    context = report_context(report.snapshot, snapshot_hash=report.snapshot_hash)
    return {
        **{name: context[name] for name in ("s", "submission", "present_factors", "recommended")},
        **{name: context[name] for name in ("legal_view", "current_dissents")},
        "cls": GOVUK_CLASSES,
        "hl": 3,
        "idp": "submission-",
        "has_submission": True,
    }


def _report_file(request: HttpRequest, report_id: Any, *, attachment: bool) -> FileResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id)
    report_download_record(report=report, actor=request.user)
    response = FileResponse(
        report_file_open(report),
        as_attachment=attachment,
        filename=f"{report.case.reference}-report-{report.number}.pdf",
        content_type="application/pdf",
    )
    # Marked material: never keep a copy in a shared or browser cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@xframe_options_sameorigin
@web_view
def report_view(request: HttpRequest, report_id: Any) -> HttpResponse:
    """Send a ready report's PDF to be read in the browser (the minister's page frames it).

    Every opening is recorded in the case's audit trail.
    """
    return _report_file(request, report_id, attachment=False)


@require_GET
@web_view
def report_download(request: HttpRequest, report_id: Any) -> HttpResponse:
    """Send a ready report's PDF as a download, recorded in the case's audit trail."""
    return _report_file(request, report_id, attachment=True)


@require_GET
@web_view
def decision_record_download(request: HttpRequest, decision_record_id: Any) -> HttpResponse:
    """Send a ready decision record's PDF as a download, recorded in the case's audit trail
    and the access log; a file changed in storage is refused (``StoredFileChanged``)."""
    record = selectors.decision_record_get_for_user(
        user=request.user, decision_record_id=decision_record_id
    )
    # Open (and check) the file first, so a changed file is never recorded as downloaded.
    handle = decision_record_file_open(record) if record.status == ReportStatus.READY else None
    try:
        decision_record_download_record(record=record, actor=request.user, request=request)
    except BaseException:
        if handle is not None:
            handle.close()
        raise
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{record.case.reference}-decision-record-{record.number}.pdf",
        content_type="application/pdf",
    )
    # Marked material: never keep a copy in a shared or browser cache.
    response["Cache-Control"] = "private, no-store"
    return response
