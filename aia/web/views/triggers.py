"""Recording a warning in the browser, and an SRO's discretionary assessment.

Both pages take two steps, on the GOV.UK "check answers" pattern and without JavaScript: the
form, then a page that shows the answers, the possible duplicates and what saving will do
(``aia.web.intake``), with the answers carried in hidden fields. Saving goes through the same
intake service as the API (``trigger_ingest``), so routing, the knowledge date and the audit
trail are the same; the confirmation page then says what happens next.
"""

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from aia import permissions, selectors
from aia.exceptions import InvalidInput, NotFound, PermissionRefused
from aia.models import Trigger
from aia.models.choices import CaseState, Crime, Finding, Instrument, Marking, TriggerKind
from aia.services.triggers import IngestResult, discretionary_assessment_open, trigger_ingest
from aia.web import selectors as web_selectors
from aia.web.errors import add_field_errors, error_summary_items, web_view
from aia.web.intake import intake_preview
from aia.web.submissions import FIELD, submission_token
from aia.web.warning_forms import DiscretionaryForm, WarningForm

# The warnings this browser session recorded, which its confirmation pages may show.
RECORDED = "aia_recorded_triggers"
# Fields of the posted form that are the page's, not the answers.
NOT_ANSWERS = {"csrfmiddlewaretoken", "action", FIELD}


def _hidden_answers(request: HttpRequest) -> list[tuple[str, str]]:
    """The answers as posted, to carry through the check page in hidden fields."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_ANSWERS
        for value in values
    ]


def _record(request: HttpRequest, result: IngestResult) -> HttpResponse:
    """Remember that this session recorded the warning, and go to its confirmation page."""
    recorded = dict(request.session.get(RECORDED, {}))
    # A second click replays what the first recorded: the first answer stands.
    key = str(result.trigger.pk)
    recorded[key] = recorded.get(key, False) or result.created
    request.session[RECORDED] = recorded
    return redirect("web:warning-recorded", trigger_id=result.trigger.pk)


def _two_steps(
    request: HttpRequest,
    *,
    page: dict[str, Any],
    form_class: type[WarningForm],
    save: Callable[[dict[str, Any]], IngestResult],
) -> HttpResponse:
    """Show the form, check the answers, or save them, as the posted ``action`` says."""
    situations = list(web_selectors.situation_list_for_user(user=request.user))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = form_class(request.POST or None, situations=situations)
    context: dict[str, Any] = {"page": page, "form": form, "submission": submission_token(request)}
    if action in ("", "change"):
        # A first visit, or "Change your answers": the form, as typed.
        return render(request, "aia/web/warning_form.html", context)
    try:
        kwargs = form.validate()
    except InvalidInput:
        context["errors"] = error_summary_items(form)
        return render(request, "aia/web/warning_form.html", context, status=400)
    if action == "save":
        try:
            return _record(request, save(kwargs))
        except InvalidInput as error:
            # The service's own checks, which the form makes first: kept for safety.
            add_field_errors(form, error.fields)
            context["errors"] = error_summary_items(form)
            return render(request, "aia/web/warning_form.html", context, status=400)
    context["preview"] = intake_preview(
        user=request.user,
        source_body=kwargs["source_body"],
        reference=kwargs.get("reference", ""),
        situation=kwargs["situation"],
    )
    context["answers"] = kwargs
    context["rows"] = _rows(kwargs)
    context["hidden"] = _hidden_answers(request)
    return render(request, "aia/web/warning_check.html", context)


def _rows(answers: dict[str, Any]) -> list[dict[str, str]]:
    """The answers in words, in the form's order, for the check page."""
    situation = answers["situation"]
    where = situation.name + (f", {situation.area}" if situation.area else "")
    rows = []
    if "reason" in answers:
        rows += [
            ("Why you are opening it", answers["reason"]),
            ("Date the UK knew of the risk", written_date(answers["knowledge_date"])),
            ("Where the concern came from", answers["source_body"]),
            ("Its reference", answers.get("reference", "")),
        ]
    else:
        rows += [
            ("Kind of warning", label(TriggerKind, answers["kind"])),
            ("Who made the finding", answers["source_body"]),
            ("Their reference", answers.get("reference", "")),
            ("Document", label(Instrument, answers.get("instrument", Instrument.OTHER))),
            ("Date of the finding", written_date(answers["finding_date"])),
        ]
    rows += [
        ("Title", answers["title"]),
        ("Finding" if "kind" in answers else "Concern", label(Finding, answers["finding"])),
        ("Crimes", ", ".join(label(Crime, c) for c in answers["crimes"])),
        ("Groups at risk", answers.get("groups_at_risk", "")),
        ("Summary", answers.get("summary", "")),
        ("Web address of the source", answers.get("source_url", "")),
        ("Situation", f"{where} ({situation.country_code})"),
        ("Protective marking of a new case", answers.get("marking", Marking.OFFICIAL_SENSITIVE)),
    ]
    return [{"label": key, "value": value} for key, value in rows]


def written_date(value: datetime.date) -> str:
    """A date written out, as pages write dates: 5 December 2026."""
    return f"{value.day} {value:%B %Y}"


def label(choices: Any, value: str) -> str:
    return choices(value).label if value in choices.values else value


@web_view
def warning_new(request: HttpRequest) -> HttpResponse:
    """Record a warning: a court's or an inquiry's finding, or the Special Advisers'."""
    if not permissions.can_add_trigger(request.user):
        raise PermissionRefused("Your account may not record warnings.")
    page = {
        "title": "Record a warning",
        "lead": "A finding by a court, a Commission of Inquiry or a Fact-Finding Mission, or a "
        "notification by the UN Special Advisers, of a serious risk of atrocity crimes.",
        "submit": "Record the warning",
        "url": "web:warning-new",
    }
    return _two_steps(
        request,
        page=page,
        form_class=WarningForm,
        save=lambda kwargs: trigger_ingest(actor=request.user, **kwargs),
    )


@web_view
def discretionary_new(request: HttpRequest) -> HttpResponse:
    """Open an assessment at an SRO's discretion, without a qualifying warning."""
    if not permissions.can_open_discretionary_assessment(request.user):
        raise PermissionRefused(
            "Only a senior responsible owner may open a discretionary assessment."
        )
    page = {
        "title": "Open a discretionary assessment",
        "lead": "When no court, inquiry or Special Adviser has made a finding, but you judge "
        "that the UK should assess the risk: for example after a post's report or a "
        "non-governmental organisation's alert.",
        "submit": "Open the assessment",
        "url": "web:discretionary-new",
        "discretionary": True,
    }

    def save(kwargs: dict[str, Any]) -> IngestResult:
        # Without a reference of its own, the record takes the form's token, which a
        # second click sends again: the same record, not a second one.
        if not kwargs.get("reference"):
            token = request.POST.get(FIELD, "") or uuid.uuid4().hex
            kwargs["reference"] = f"SRO-{token[:12].upper()}"
        return discretionary_assessment_open(actor=request.user, **kwargs)

    return _two_steps(request, page=page, form_class=DiscretionaryForm, save=save)


@web_view
def warning_recorded(request: HttpRequest, trigger_id: Any) -> HttpResponse:
    """Tell the recorder what their warning did and what happens next."""
    recorded = request.session.get(RECORDED, {})
    if str(trigger_id) not in recorded:
        raise NotFound("Not found.")
    trigger = Trigger.objects.select_related("case", "situation").get(pk=trigger_id)
    visible = selectors.case_is_visible_to(user=request.user, case_id=trigger.case_id)
    return render(
        request,
        "aia/web/warning_recorded.html",
        {
            "trigger": trigger,
            "created": recorded[str(trigger_id)],
            "case": trigger.case if visible else None,
            # An official who opened it follows it, read only, until the team is named.
            "following": visible and permissions.is_reporter(trigger.case, request.user),
            "may_assign": visible
            and trigger.case.state == CaseState.TRIGGERED
            and permissions.can_assign(trigger.case, request.user),
        },
    )
