"""A case's source library: the list, the form that adds a source (with a file), the file's
download, and citing a source from a section or an option (forms on those pages)."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from aia import selectors
from aia.exceptions import Conflict, InvalidInput, PermissionRefused
from aia.models import AccessRecord, Case
from aia.services.security import access_record
from aia.services.sources import (
    LIBRARY_STATES,
    source_add,
    source_check,
    source_cite,
    source_uncite,
)
from aia.stored_files import stored_file_open
from aia.uploads import RawUploadNames
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.sources import LibrarySourceForm, may_add_source
from aia.web.submissions import submission_token, submit_once
from aia.wording import states_phrase


def _library_url(case: Case) -> str:
    return reverse("web:sources", kwargs={"case_id": case.pk})


@require_GET
@web_view
def source_library(request: HttpRequest, case_id: Any) -> HttpResponse:
    """List the case's sources, each with where it is cited."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    return render(
        request,
        "aia/web/sources.html",
        {
            "case": case,
            "sources": selectors.source_list(case=case),
            "may_add": may_add_source(case, request.user),
        },
    )


@csrf_exempt
def source_new(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Add a source to the library. The upload handler that keeps the file's name as sent
    must be in place before the CSRF check reads the form, so the check is made just after
    (Django's documented way: docs/topics/http/file-uploads, "Modifying upload handlers")."""
    request.upload_handlers.insert(0, RawUploadNames(request))
    return _source_new(request, case_id=case_id)


@csrf_protect
@web_view
def _source_new(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    if request.method != "POST":
        _refuse_unless_may_add(case, user)
        form = LibrarySourceForm()
    else:
        form = LibrarySourceForm(request.POST, request.FILES)
        form.is_valid()
        raw_names = getattr(request, "raw_upload_names", [])
        raw_name = raw_names[0] if len(raw_names) == 1 else None
        upload = request.FILES.get("file")

        def add() -> tuple[str, str]:
            source = source_add(
                case=case,
                actor=user,
                data=form.service_data(),
                upload=upload,
                raw_name=raw_name,
            )
            return _library_url(case), f"Source '{source.title}' added to the library."

        if form.errors:
            fields = source_check(data=form.service_data(), upload=upload, raw_name=raw_name)
            add_field_errors(form, {k: v for k, v in fields.items() if k not in form.errors})
        else:
            try:
                return submit_once(request, add)
            except InvalidInput as error:
                add_field_errors(form, error.fields)
    errors = error_summary_items(form)
    return render(
        request,
        "aia/web/source_form.html",
        {"case": case, "form": form, "errors": errors, "submission": submission_token(request)},
        status=400 if errors else 200,
    )


def _refuse_unless_may_add(case: Case, user: Any) -> None:
    """Say before the form what the service would refuse (the same words)."""
    if not may_add_source(case, user):
        if case.state in LIBRARY_STATES:
            raise PermissionRefused(
                "Only officials on the case team can add to its source library."
            )
        raise Conflict(
            f"Sources can be added only while the case is {states_phrase(LIBRARY_STATES)}.",
            {"state": case.state},
        )


@require_GET
@web_view
def source_file(request: HttpRequest, case_id: Any, source_id: Any) -> HttpResponse:
    """Send a source's file, always as a download: a file someone uploaded is never shown in
    the browser, where it could run as part of AIA."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    source = selectors.source_get(case=case, source_id=source_id)
    if not source.file:
        return redirect(_library_url(case))
    access_record(
        user=request.user, case=case, what=AccessRecord.What.SOURCE_DOWNLOADED, request=request
    )
    response = FileResponse(
        stored_file_open(
            source.file, sha256=source.sha256, what=f"The file of source {source.title!r}"
        ),
        as_attachment=True,
        filename=source.file_name,
        content_type=source.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _item_url(case: Case, section_code: str, option_id: str) -> str:
    if option_id:
        option = selectors.option_get(case=case, option_id=option_id)
        url = reverse("web:option", kwargs={"case_id": case.pk, "option_id": option.pk})
    else:
        section = selectors.section_get(case=case, code=section_code)
        url = reverse("web:section", kwargs={"case_id": case.pk, "code": section.code})
    return f"{url}#library-sources"


@require_POST
@web_view
def source_cite_view(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Cite a library source from the section or option whose page sent the form."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    section_code, option_id = request.POST.get("section", ""), request.POST.get("option", "")
    after = _item_url(case, section_code, option_id)
    if not request.POST.get("source"):
        messages.error(request, "Choose a source to cite.")
        return redirect(after)
    source = selectors.source_get(case=case, source_id=request.POST["source"])
    source_cite(source=source, actor=request.user, section_code=section_code, option_id=option_id)
    messages.success(request, f"'{source.title}' is cited here.")
    return redirect(after)


@require_POST
@web_view
def source_uncite_view(request: HttpRequest, case_id: Any, source_id: Any) -> HttpResponse:
    """Stop citing a library source from a section or an option."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    section_code, option_id = request.POST.get("section", ""), request.POST.get("option", "")
    after = _item_url(case, section_code, option_id)
    source = selectors.source_get(case=case, source_id=source_id)
    source_uncite(source=source, actor=request.user, section_code=section_code, option_id=option_id)
    messages.success(request, f"'{source.title}' is no longer cited here; it stays in the library.")
    return redirect(after)
