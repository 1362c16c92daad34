"""The case page, the transitions' confirmation pages, the team and dissents."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from aia import permissions, selectors
from aia.exceptions import Conflict, InvalidInput, NotFound, PermissionRefused
from aia.framework import DIMENSION_CODES, FOOTPRINT, RISK_FACTOR_CODES, SCOPE, get_framework
from aia.models import AccessRecord, Case
from aia.models.choices import CORE_OPTION_CATEGORIES, CaseState, Role
from aia.services.cases import case_team_update
from aia.services.reports import report_requeue
from aia.services.reviews import dissent_record
from aia.services.security import access_record
from aia.services.transitions import TRANSITIONS, Transition
from aia.web import selectors as web_selectors
from aia.web import timeline
from aia.web.comments import returned_banner
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.forms import DissentForm, TeamForm
from aia.web.submissions import submission_token, submit_once
from aia.web.transitions import (
    DEDICATED_PAGES,
    text_form,
    text_form_inputs,
    transition_choices,
    transition_refusal,
)

REVIEW_STATES = (CaseState.LEGAL_REVIEW, CaseState.OPTIONS_REVIEW)


def case_url(case: Case) -> str:
    return reverse("web:case", kwargs={"case_id": case.pk})


def redirect_after_action(request: HttpRequest, case: Case) -> HttpResponseRedirect:
    """Go back to the case, or to the dashboard when the user can no longer see it."""
    try:
        selectors.case_get_for_user(user=request.user, case_id=case.pk)
    except NotFound:
        return redirect("web:dashboard")
    return redirect(case_url(case))


def _task_groups(sections: list[Any], open_comments: dict[Any, int]) -> list[dict[str, Any]]:
    """The task list's groups; a section with open comments is marked as returned."""
    framework = get_framework()
    by_code = {section.code: section for section in sections}

    def tasks(codes: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            {
                "section": by_code[code],
                "definition": framework.section(code),
                "open_comments": open_comments.get(by_code[code].pk, 0),
            }
            for code in codes
            if code in by_code
        ]

    return [
        {"title": "Scope", "tasks": tasks((SCOPE,))},
        {"title": "Risk factors (UN Framework of Analysis)", "tasks": tasks(RISK_FACTOR_CODES)},
        {"title": "The UK's footprint", "tasks": tasks((FOOTPRINT,))},
        {"title": "UK leverage and capacity", "tasks": tasks(DIMENSION_CODES)},
    ]


@web_view
def case_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Show everything about a case the user may see, and the steps they may take now."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    access_record(user=user, case=case, what=AccessRecord.What.CASE_PAGE, request=request)
    sections = list(selectors.section_list(case=case))
    options = list(selectors.option_list(case=case))
    gaps = list(web_selectors.option_gap_list(case=case))
    open_comments = selectors.open_comment_counts(case=case)
    for option in options:
        option.open_comments = open_comments.get(option.pk, 0)
    reviews = list(web_selectors.review_list(case=case))
    available, blocked = transition_choices(case, user)
    reports = _reports(case, user)
    covered = {o.category for o in options if o.withdrawn_at is None} | {g.category for g in gaps}
    context = {
        "case": case,
        "officials": list(case.officials.all()),
        "triggers": list(web_selectors.trigger_list(case=case)),
        "task_groups": _task_groups(sections, open_comments),
        "sections_complete": sum(1 for s in sections if s.status == "complete"),
        "sections_total": len(sections),
        "options": options,
        "options_decided": any(option.minister_decision for option in options),
        "gaps": gaps,
        "uncovered": [c for c in CORE_OPTION_CATEGORIES if c not in covered],
        "reviews": reviews,
        "dissents": list(web_selectors.dissent_list(case=case)),
        "reports": reports,
        # A decision answers a signed report: a case without one has no decision records.
        "decision_records": list(selectors.decision_record_list(case=case)) if reports else [],
        "timeline": timeline.latest_entries(case),
        "transitions": available,
        "blocked": blocked,
        "can_change_team": (
            permissions.can_sign_off_role(case, user)
            and case.is_open
            and case.state != CaseState.TRIGGERED
        ),
        "can_record_dissent": permissions.can_record_dissent(case, user) and case.is_open,
        "can_edit_content": permissions.can_edit_content(case, user),
        "can_requeue": permissions.can_sign_off_role(case, user),
        "can_view_access_log": permissions.can_view_access_log(case, user),
        "can_download_bundle": permissions.can_download_bundle(case, user),
        "in_review": case.state in REVIEW_STATES,
        "returned": returned_banner(case, reviews),
    }
    return render(request, "aia/web/case.html", context)


def _reports(case: Case, user) -> list:
    reports = list(selectors.report_list(case=case))
    for report in reports:
        report.case = case
        report.readable = permissions.can_read_report(report, user)
    return reports


# ------------------------------------------------------------------------------
# Transitions
# ------------------------------------------------------------------------------
def _team_candidates(marking: str | None) -> dict[str, Any]:
    officials = web_selectors.team_candidate_list(role=Role.OFFICIAL, marking=marking)
    return {
        "lead_official": officials,
        "officials": officials,
        "legal_adviser": web_selectors.team_candidate_list(
            role=Role.LEGAL_ADVISER, marking=marking
        ),
        "minister": web_selectors.team_candidate_list(role=Role.MINISTER, marking=marking),
    }


def _transition_form(spec: Transition, case: Case, data: Any) -> Any:
    if spec.name == "assign":
        # At assignment the marking may still be lowered, so every role holder is offered
        # (labelled with their clearance when it falls short); the service checks them.
        return TeamForm(
            data, candidates=_team_candidates(None), marking=case.marking, with_marking=True
        )
    return text_form(spec, data)


def _transition_kwargs(form: Any) -> dict[str, Any]:
    if isinstance(form, TeamForm):
        return form.service_kwargs()
    return text_form_inputs(form)


@web_view
def case_transition(request: HttpRequest, case_id: Any, name: str) -> HttpResponse:
    """Ask for a transition's inputs and confirmation (GET); take it (POST)."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise NotFound("There is no such step.")
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    if name in DEDICATED_PAGES:
        return redirect(DEDICATED_PAGES[name], case_id=case.pk)
    refusal = transition_refusal(case, user, name)
    if refusal is not None:
        raise refusal
    form = _transition_form(spec, case, request.POST if request.method == "POST" else None)
    unplaced: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            spec.service(case=case, actor=user, **_transition_kwargs(form))
        except InvalidInput as error:
            unplaced = add_field_errors(form, error.fields)
            if not error.fields:
                unplaced = {"": [error.message]}
        else:
            messages.success(request, spec.success)
            return redirect_after_action(request, case)
    return render(
        request,
        "aia/web/transition.html",
        {
            "case": case,
            "name": name,
            "page": spec,
            "form": form,
            "errors": error_summary_items(
                form, messages=[m for ms in unplaced.values() for m in ms]
            ),
            "in_review": case.state in REVIEW_STATES,
        },
        status=400 if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------
# Team, dissents and reports
# ------------------------------------------------------------------------------
@web_view
def case_team(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Change the team of an assigned, open case (its SRO)."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    if not permissions.can_sign_off_role(case, user):
        raise PermissionRefused("Only the case's SRO can change its team.")
    if not case.is_open or case.state == CaseState.TRIGGERED:
        raise Conflict("The team can be changed only on an assigned, open case.")
    initial = {
        "lead_official": case.lead_official,
        "legal_adviser": case.legal_adviser,
        "officials": list(case.officials.all()),
        "minister": case.minister,
    }
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        candidates=_team_candidates(case.marking),
        marking=case.marking,
        with_marking=False,
    )
    unplaced: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            case_team_update(case=case, actor=user, **form.service_kwargs())
        except InvalidInput as error:
            unplaced = add_field_errors(form, error.fields)
        else:
            messages.success(request, "The team is changed.")
            return redirect(case_url(case))
    return render(
        request,
        "aia/web/team.html",
        {
            "case": case,
            "form": form,
            "errors": error_summary_items(
                form, messages=[m for ms in unplaced.values() for m in ms]
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@web_view
def dissent_create(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Record a team member's dissent on a stage."""
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    form = DissentForm(request.POST if request.method == "POST" else None)
    unplaced: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():

        def record() -> tuple[str, str]:
            dissent_record(
                case=case,
                actor=user,
                stage=form.cleaned_data["stage"],
                text_=form.cleaned_data["text"],
            )
            return case_url(case), "Your dissent is recorded."

        try:
            return submit_once(request, record)
        except InvalidInput as error:
            unplaced = add_field_errors(form, error.fields)
    elif not permissions.can_record_dissent(case, user):
        raise PermissionRefused("Only members of the case team can record a dissent.")
    elif not case.is_open:
        # The same answer as the service's: the right person, at the wrong time.
        raise Conflict("A dissent cannot be recorded on a finished case.", {"state": case.state})
    return render(
        request,
        "aia/web/dissent.html",
        {
            "case": case,
            "form": form,
            "submission": submission_token(request),
            "errors": error_summary_items(
                form, messages=[m for ms in unplaced.values() for m in ms]
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@web_view
def report_requeue_view(request: HttpRequest, report_id: Any) -> HttpResponse:
    """Queue a failed report for rendering again (the case's SRO)."""
    report = selectors.report_get_for_user(user=request.user, report_id=report_id)
    report_requeue(report=report, actor=request.user)
    messages.success(request, f"Report {report.number} is queued for rendering again.")
    return redirect(case_url(report.case))
