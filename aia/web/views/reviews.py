"""The legal review page: the stage's content, what changed since the previous review, and
the approve and return forms."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aia import permissions, selectors
from aia.content import stage_content
from aia.exceptions import Conflict, InvalidInput
from aia.framework import get_framework
from aia.models.choices import CaseState, Stage
from aia.web import selectors as web_selectors
from aia.web.diff import stage_diff
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.forms import CommentForm
from aia.web.transitions import PAGES
from aia.web.views.cases import redirect_after_action

# The stage each review state reviews, and its two transitions.
REVIEWS = {
    CaseState.LEGAL_REVIEW: (Stage.ASSESSMENT, "approve_assessment", "return_assessment"),
    CaseState.OPTIONS_REVIEW: (Stage.OPTIONS, "approve_options", "return_options"),
}


@web_view
def review(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Show the stage under review with the changes since its previous review; approve or
    return it (POST ``action``)."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    if case.state not in REVIEWS:
        raise Conflict(
            f"Nothing is under legal review: the case is {CaseState(case.state).label.lower()}.",
            {"state": case.state},
        )
    stage, approve, return_ = REVIEWS[case.state]
    available = selectors.case_available_transitions(case=case, user=user)

    action = request.POST.get("action") if request.method == "POST" else ""
    action = "approve" if action == "approve" else "return"
    approve_form = CommentForm(
        request.POST if action == "approve" and request.method == "POST" else None,
        prefix="approve",
        label="Comment (optional)",
    )
    return_form = CommentForm(
        request.POST if action == "return" and request.method == "POST" else None,
        prefix="return",
        label="What must change?",
        hint="Required. The officials see it on the case page.",
    )
    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        name, form = (approve, approve_form) if action == "approve" else (return_, return_form)
        if form.is_valid():
            try:
                PAGES[name].service(case=case, actor=user, comment=form.cleaned_data["comment"])
            except InvalidInput as error:
                add_field_errors(form, error.fields)
            else:
                messages.success(request, PAGES[name].success)
                return redirect_after_action(request, case)
        errors = error_summary_items(form)
        status = 400

    previous = web_selectors.review_latest(case=case, stage=stage)
    diff = stage_diff(previous.content if previous else None, stage_content(case, stage))
    four_eyes = ""
    if approve not in available and case.legal_adviser_id == user.pk:
        four_eyes = permissions.refusal_reason(case, user, approve)
    definitions = {s.code: s for s in get_framework().sections}
    return render(
        request,
        "aia/web/review.html",
        {
            "case": case,
            "stage": stage,
            "previous": previous,
            "diff": diff,
            "definitions": definitions,
            "can_approve": approve in available,
            "can_return": return_ in available,
            "four_eyes": four_eyes,
            "approve_form": approve_form,
            "return_form": return_form,
            "errors": errors,
            "dissents": [d for d in web_selectors.dissent_list(case=case) if d.stage == stage],
        },
        status=status,
    )
