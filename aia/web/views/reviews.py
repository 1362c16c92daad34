"""The legal review page: the stage's content, what changed since the previous review, and
the approve and return forms."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from aia import permissions, selectors
from aia.content import stage_content
from aia.exceptions import Conflict, InvalidInput
from aia.framework import get_framework
from aia.models import Case, User
from aia.models.choices import CaseState, Stage
from aia.services.transitions import TRANSITIONS
from aia.web import selectors as web_selectors
from aia.web.diff import stage_diff
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.forms import CommentForm
from aia.web.views.cases import redirect_after_action
from aia.wording import state_phrase

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
    stage, approve, return_ = _under_review(case)
    available = selectors.case_available_transitions(case=case, user=user)

    posted = request.POST if request.method == "POST" else None
    action = "approve" if posted is not None and posted.get("action") == "approve" else "return"
    approve_form, return_form = _comment_forms(posted, action)
    errors: list[dict[str, str]] = []
    status = 200
    if posted is not None:
        name, form = (approve, approve_form) if action == "approve" else (return_, return_form)
        if form.is_valid():
            try:
                TRANSITIONS[name].service(
                    case=case, actor=user, comment=form.cleaned_data["comment"]
                )
            except InvalidInput as error:
                add_field_errors(form, error.fields)
            else:
                messages.success(request, TRANSITIONS[name].success)
                return redirect_after_action(request, case)
        errors = error_summary_items(form)
        status = 400

    context = _review_context(case, user, stage, approve, return_, available=available)
    return render(
        request,
        "aia/web/review.html",
        {
            **context,
            "approve_form": approve_form,
            "return_form": return_form,
            "errors": errors,
        },
        status=status,
    )


def _under_review(case: Case) -> tuple[str, str, str]:
    """Return the stage the case is under review for and its approve and return transitions."""
    if case.state not in REVIEWS:
        raise Conflict(
            f"Nothing is under legal review: the case is {state_phrase(case.state)}.",
            {"state": case.state},
        )
    return REVIEWS[case.state]


def _comment_forms(posted: QueryDict | None, action: str) -> tuple[CommentForm, CommentForm]:
    """Return the approve and return forms, the one for ``action`` bound to what was posted."""
    approve_form = CommentForm(
        posted if action == "approve" else None,
        prefix="approve",
        label="Comment (optional)",
    )
    return_form = CommentForm(
        posted if action == "return" else None,
        prefix="return",
        label="What must change?",
        hint="Required. The officials see it on the case page.",
    )
    return approve_form, return_form


def _review_context(
    case: Case, user: User, stage: str, approve: str, return_: str, *, available: list[str]
) -> dict[str, Any]:
    """Return what the page shows of the stage: its changes, guidance and dissents, and
    which decisions the user may take (with the four-eyes reason when they may not approve)."""
    previous = web_selectors.review_latest(case=case, stage=stage)
    diff = stage_diff(previous.content if previous else None, stage_content(case, stage))
    four_eyes = ""
    if approve not in available and case.legal_adviser_id == user.pk:
        four_eyes = permissions.refusal_reason(case, user, approve)
    return {
        "case": case,
        "stage": stage,
        "previous": previous,
        "diff": diff,
        "definitions": {s.code: s for s in get_framework().sections},
        "can_approve": approve in available,
        "can_return": return_ in available,
        "four_eyes": four_eyes,
        "dissents": [d for d in web_selectors.dissent_list(case=case) if d.stage == stage],
        **_comments(case, user, stage),
    }


def _comments(case: Case, user: User, stage: str) -> dict[str, Any]:
    """Return the stage's comment threads, open and resolved, and whether the user may
    start one on an item."""
    threads = selectors.comment_thread_list(case=case, stage=stage)
    return {
        "open_threads": [t for t in threads if not t.is_resolved],
        "resolved_threads": [t for t in threads if t.is_resolved],
        "may_comment": case.is_open and permissions.can_comment(case, user),
    }
