"""The options register: add, change and withdraw options, and record why a core category
has none."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from aia import permissions, selectors
from aia.exceptions import Conflict, InvalidInput, PermissionRefused
from aia.models import Case, User
from aia.models.choices import CORE_OPTION_CATEGORIES, CaseState
from aia.services.options import (
    case_submission_update,
    option_check,
    option_create,
    option_gap_record,
    option_update,
    option_withdraw,
)
from aia.web import selectors as web_selectors
from aia.web.comments import comment_context
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.forms import OptionForm, OptionGapForm, OptionWithdrawForm, SubmissionForm
from aia.web.sources import cited_context
from aia.web.submissions import submission_token, submit_once
from aia.wording import state_phrase


def options_refusal(case: Case, user: User) -> PermissionRefused | Conflict | None:
    """Return why the user may not edit the register now (as the services would say)."""
    if not permissions.can_edit_content(case, user):
        return PermissionRefused("Only officials on the case team can edit its options.")
    if case.state != CaseState.OPTIONS:
        return Conflict(
            "The options register can be edited only while the case is "
            f"{state_phrase(CaseState.OPTIONS)}.",
            {"state": case.state},
        )
    return None


def _gap_forms(case: Case, options: list, gaps: list, data: Any = None, posted: str = "") -> list:
    """Return a reason form for each core category that has no standing option or has a
    recorded reason."""
    with_options = {o.category for o in options if o.withdrawn_at is None}
    reasons = {gap.category: gap for gap in gaps}
    forms = []
    for category in CORE_OPTION_CATEGORIES:
        if category in with_options and category not in reasons:
            continue
        gap = reasons.get(category)
        form = OptionGapForm(
            data if posted == category.value else None,
            prefix=f"gap-{category.value}",
            initial={"reason": gap.reason if gap else ""},
            category_label=category.label,
        )
        forms.append(
            {
                "category": category,
                "form": form,
                "gap": gap,
                "has_option": category in with_options,
            }
        )
    return forms


@web_view
def options_register(request: HttpRequest, case_id: Any) -> HttpResponse:
    """List the register with the reasons for empty core categories; save a reason (POST)."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    options = list(selectors.option_list(case=case))
    gaps = list(web_selectors.option_gap_list(case=case))
    refusal = options_refusal(case, user)
    posted = request.POST.get("category", "") if request.method == "POST" else ""
    gap_forms = _gap_forms(case, options, gaps, request.POST, posted)
    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        if refusal is not None:
            raise refusal
        entry = next((f for f in gap_forms if f["category"].value == posted), None)
        if entry is None:
            raise InvalidInput("Choose a core category.", {"category": ["Unknown category."]})
        form = entry["form"]
        if form.is_valid():
            try:
                option_gap_record(
                    case=case, actor=user, category=posted, reason=form.cleaned_data["reason"]
                )
            except InvalidInput as error:
                add_field_errors(form, error.fields)
            else:
                messages.success(request, f"{entry['category'].label}: the reason is saved.")
                return redirect("web:options", case_id=case.pk)
        errors = error_summary_items(form)
        status = 400
    return render(
        request,
        "aia/web/options.html",
        {
            "case": case,
            "options": options,
            "gap_forms": gap_forms,
            "editable": refusal is None,
            "refusal": refusal,
            "errors": errors,
        },
        status=status,
    )


@web_view
def option_edit(request: HttpRequest, case_id: Any, option_id: Any = None) -> HttpResponse:
    """Add an option (no ``option_id``) or change one."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    option = selectors.option_get(case=case, option_id=option_id) if option_id else None
    refusal = options_refusal(case, user)
    if option is not None and option.withdrawn_at is not None:
        refusal = refusal or Conflict("A withdrawn option cannot be changed.")
    if refusal is not None:
        if option is None or request.method == "POST":
            raise refusal
        return render(
            request,
            "aia/web/option_view.html",
            {
                "case": case,
                "option": option,
                "refusal": refusal,
                **comment_context(request, case, option=option),
                **cited_context(request, case, option=option),
            },
        )
    initial = OptionForm.initial_for(option) if option else None
    form = OptionForm(request.POST if request.method == "POST" else None, initial=initial)
    unplaced: dict[str, list[str]] = {}
    if request.method == "POST" and not form.is_valid():
        # Every problem in one round: the service's checks of the fields the form accepted.
        fields = option_check(data=form.service_data())
        unplaced = add_field_errors(form, {k: v for k, v in fields.items() if k not in form.errors})
    elif request.method == "POST":
        options_page = reverse("web:options", kwargs={"case_id": case.pk})

        def create() -> tuple[str, str]:
            saved = option_create(case=case, actor=user, data=form.service_data())
            return options_page, f"Option '{saved.title}' added."

        try:
            if option is None:
                return submit_once(request, create)
            saved = option_update(
                case=case, actor=user, option_id=option.pk, data=form.service_data()
            )
        except InvalidInput as error:
            unplaced = add_field_errors(form, error.fields)
        else:
            messages.success(request, f"Option '{saved.title}' saved.")
            return redirect(options_page)
    return render(
        request,
        "aia/web/option_form.html",
        {
            "case": case,
            "option": option,
            "form": form,
            "submission": submission_token(request) if option is None else "",
            "errors": error_summary_items(
                form, messages=[m for ms in unplaced.values() for m in ms]
            ),
            **(comment_context(request, case, option=option) if option else {}),
            **(cited_context(request, case, option=option) if option else {}),
        },
        status=400 if request.method == "POST" else 200,
    )


@web_view
def option_withdraw_view(request: HttpRequest, case_id: Any, option_id: Any) -> HttpResponse:
    """Confirm and withdraw an option; it stays on the record."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    option = selectors.option_get(case=case, option_id=option_id)
    refusal = options_refusal(case, user)
    if refusal is not None:
        raise refusal
    form = OptionWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        option_withdraw(
            case=case, actor=user, option_id=option.pk, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"Option '{option.title}' withdrawn. It stays on the record.")
        return redirect("web:options", case_id=case.pk)
    return render(
        request,
        "aia/web/option_withdraw.html",
        {"case": case, "option": option, "form": form, "errors": error_summary_items(form)},
    )


@web_view
def submission_edit(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Write the submission to the minister (the issue, the recommendation, handling), which
    heads the signed report; shown read-only to whoever may not change it now."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    refusal = options_refusal(case, user)
    if refusal is not None and request.method == "POST":
        raise refusal
    posted = request.method == "POST"
    form = SubmissionForm(
        request.POST if posted else None, initial=SubmissionForm.initial_for(case)
    )
    unplaced: dict[str, list[str]] = {}
    if posted and form.is_valid():
        try:
            case_submission_update(case=case, actor=user, data=form.cleaned_data)
        except InvalidInput as error:
            unplaced = add_field_errors(form, error.fields)
        else:
            messages.success(request, "The submission to the minister is saved.")
            return redirect("web:options", case_id=case.pk)
    return render(
        request,
        "aia/web/submission_form.html",
        {
            "case": case,
            "form": form,
            "editable": refusal is None,
            "refusal": refusal,
            "errors": error_summary_items(
                form, messages=[m for ms in unplaced.values() for m in ms]
            ),
        },
        status=400 if posted else 200,
    )
