"""Comment on a section or an option, reply in its thread, and resolve it.

The section and option pages carry these forms with their threads; the pages here are where
a form comes back with its problem (the text typed kept), and where a form opens without the
item's page (a link from the review page, say).
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from aia import permissions, selectors
from aia.exceptions import Conflict, InvalidInput, PermissionRefused
from aia.framework import get_framework
from aia.models import Case, Comment
from aia.services.comments import comment_add, comment_reply, comment_resolve
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.forms import CommentTextForm
from aia.web.submissions import submission_token, submit_once


def _item(case: Case, section_code: str, option_id: str) -> tuple[str, str]:
    """Return the page and the name of the section or option a comment is on."""
    if option_id:
        option = selectors.option_get(case=case, option_id=option_id)
        url = reverse("web:option", kwargs={"case_id": case.pk, "option_id": option.pk})
        return url, option.title
    section = selectors.section_get(case=case, code=section_code)
    url = reverse("web:section", kwargs={"case_id": case.pk, "code": section.code})
    return url, get_framework().section(section.code).title


def _thread_item(case: Case, comment: Comment) -> tuple[str, str]:
    thread = comment.parent or comment
    if thread.option_id:
        return _item(case, "", str(thread.option_id))
    return _item(case, thread.section.code, "")


def _refuse_unless_may_comment(case: Case, user: Any) -> None:
    """Say before the form what the service would refuse (the same words)."""
    if not permissions.can_comment(case, user):
        raise PermissionRefused(
            "Only the legal adviser, the SRO and the officials on the case team can comment."
        )
    if not case.is_open:
        raise Conflict("A finished case cannot be commented on.", {"state": case.state})


def _form_page(request: HttpRequest, case: Case, form: CommentTextForm, **context: Any):
    errors = error_summary_items(form)
    return render(
        request,
        "aia/web/comment_form.html",
        {
            "case": case,
            "form": form,
            "errors": errors,
            "submission": submission_token(request),
            **context,
        },
        status=400 if errors else 200,
    )


@web_view
def comment_new(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Start a thread on a section (``section``, its code) or an option (``option``, its id)."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    params = request.POST if request.method == "POST" else request.GET
    section_code, option_id = params.get("section", ""), params.get("option", "")
    url, title = _item(case, section_code, option_id)
    after = f"{url}#comments"
    from_review = params.get("from") == "review"
    if from_review:
        # The legal adviser commenting as they read the review goes back to where they were.
        review = reverse("web:review", kwargs={"case_id": case.pk})
        url, after = review, f"{review}#item-{section_code or option_id}"
    form = CommentTextForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        _refuse_unless_may_comment(case, user)
    else:

        def add() -> tuple[str, str]:
            comment_add(
                case=case,
                actor=user,
                text_=request.POST.get("text", ""),
                section_code=section_code,
                option_id=option_id,
            )
            return after, "Your comment is added."

        try:
            return submit_once(request, add)
        except InvalidInput as error:
            add_field_errors(form, error.fields)
    return _form_page(
        request,
        case,
        form,
        heading=f"Comment on {title}",
        action=reverse("web:comment-new", kwargs={"case_id": case.pk}),
        hidden={
            "section": section_code,
            "option": option_id,
            "from": "review" if from_review else "",
        },
        back=url,
        submit="Add the comment",
    )


@web_view
def comment_reply_view(request: HttpRequest, case_id: Any, comment_id: int) -> HttpResponse:
    """Answer a comment in its thread."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    comment = selectors.comment_get(case=case, comment_id=comment_id)
    url, title = _thread_item(case, comment)
    form = CommentTextForm(request.POST if request.method == "POST" else None, label="Your reply")
    if request.method != "POST":
        _refuse_unless_may_comment(case, user)
    else:

        def reply() -> tuple[str, str]:
            comment_reply(
                case=case, actor=user, comment_id=comment.pk, text_=request.POST.get("text", "")
            )
            return f"{url}#comments", "Your reply is added."

        try:
            return submit_once(request, reply)
        except InvalidInput as error:
            add_field_errors(form, error.fields)
    return _form_page(
        request,
        case,
        form,
        heading=f"Reply to a comment on {title}",
        thread=comment.parent or comment,
        action=reverse("web:comment-reply", kwargs={"case_id": case.pk, "comment_id": comment.pk}),
        hidden={},
        back=url,
        submit="Reply",
    )


@require_POST
@web_view
def comment_resolve_view(request: HttpRequest, case_id: Any, comment_id: int) -> HttpResponse:
    """Mark a thread as dealt with."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    comment = selectors.comment_get(case=case, comment_id=comment_id)
    url, _title = _thread_item(case, comment)
    comment_resolve(case=case, actor=user, comment_id=comment.pk)
    messages.success(request, "The comment is resolved.")
    return redirect(f"{url}#comments")
