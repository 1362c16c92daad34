"""Template helpers for the browser pages: tags for states and statuses, labels, the audit
timeline's wording. Everything returned is escaped by ``format_html`` or by the template."""

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from aia import wording
from aia.framework import FrameworkError, get_framework
from aia.models import CaseEvent
from aia.models.choices import (
    CaseState,
    Crime,
    Decision,
    EventType,
    Finding,
    ReportStatus,
    ReviewDecision,
    SectionStatus,
    Stage,
    TriggerKind,
)
from aia.services.transitions import TRANSITIONS
from aia.web import diff
from aia.web.diff import (
    OPTION_FIELDS,
    SECTION_FIELDS,
    SUBMISSION_FIELDS,
    display,
    section_title,
    source_line,
)

register = template.Library()

STATE_COLOURS = {
    CaseState.TRIGGERED: "orange",
    CaseState.SCOPING: "light-blue",
    CaseState.ASSESSMENT: "blue",
    CaseState.LEGAL_REVIEW: "purple",
    CaseState.OPTIONS: "blue",
    CaseState.OPTIONS_REVIEW: "purple",
    CaseState.SIGN_OFF: "turquoise",
    CaseState.SIGNED_OFF: "turquoise",
    CaseState.WITH_MINISTER: "pink",
    CaseState.MONITORING: "green",
    CaseState.CLOSED: "grey",
    CaseState.WITHDRAWN: "grey",
}
REPORT_COLOURS = {
    ReportStatus.QUEUED: "grey",
    ReportStatus.RENDERING: "light-blue",
    ReportStatus.READY: "green",
    ReportStatus.FAILED: "red",
}


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.simple_tag
def state_tag(state: str) -> str:
    """Render a case state as a coloured GOV.UK tag."""
    colour = STATE_COLOURS.get(state, "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, wording.state_label(state)
    )


@register.simple_tag
def report_tag(report: Any) -> str:
    if report.superseded_at:
        return format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>', "grey", "Superseded"
        )
    colour = REPORT_COLOURS.get(report.status, "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        colour,
        _label(ReportStatus, report.status),
    )


@register.simple_tag
def section_status(status: str, element_id: str = "", open_comments: int = 0) -> str:
    """Render a task list status: "Returned" while the section has open comments, else plain
    text when complete and a tag otherwise."""
    if open_comments:
        return format_html(
            '<div class="govuk-task-list__status" id="{}"><strong class="govuk-tag '
            'govuk-tag--red">Returned</strong></div>',
            element_id,
        )
    if status == SectionStatus.COMPLETE:
        return format_html(
            '<div class="govuk-task-list__status" id="{}">Completed</div>', element_id
        )
    colour, text = (
        ("blue", "In progress") if status == SectionStatus.IN_PROGRESS else ("grey", "Not started")
    )
    return format_html(
        '<div class="govuk-task-list__status" id="{}"><strong class="govuk-tag govuk-tag--{}">'
        "{}</strong></div>",
        element_id,
        colour,
        text,
    )


@register.simple_tag
def option_decision_tag(option) -> str:
    """Render the minister's decision on an option as a tag; nothing before it, or for an
    option that was not put to the minister."""
    decided = option.minister_decision
    if decided is None:
        return ""
    colour = "green" if decided.decision == Decision.AGREED else "red"
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        colour,
        f"{decided.get_decision_display()} by the minister",
    )


@register.simple_tag
def section_status_tag(status: str) -> str:
    """Render a section's status as a tag (outside a task list)."""
    colour = {SectionStatus.COMPLETE: "green", SectionStatus.IN_PROGRESS: "blue"}.get(
        status, "grey"
    )
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, _label(SectionStatus, status)
    )


@register.filter
def state_label(state: str) -> str:
    return wording.state_label(state)


@register.filter
def state_phrase(state: str) -> str:
    """The state in a sentence, after "The case is"."""
    return wording.state_phrase(state)


@register.filter
def stage_label(stage: str) -> str:
    return _label(Stage, stage)


@register.filter
def trigger_kind_label(kind: str) -> str:
    return _label(TriggerKind, kind)


@register.filter
def finding_label(finding: str) -> str:
    return _label(Finding, finding)


@register.filter
def crimes_label(crimes: list[str]) -> str:
    return ", ".join(_label(Crime, c) for c in crimes or [])


@register.filter
def decision_label(value: str) -> str:
    return _label(Decision, value) if value else ""


@register.filter
def review_decision_label(value: str) -> str:
    return _label(ReviewDecision, value)


@register.filter
def field_display(value: Any, name: str) -> str:
    """Show a content field's value as a reader sees it (choices as labels, lists joined)."""
    return display(name, value)


@register.filter
def section_name(code: str) -> str:
    return section_title(code)


@register.filter
def short_hash(value: str) -> str:
    return (value or "")[:12]


@register.filter
def days_since(moment: datetime.datetime | datetime.date | None) -> int | None:
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return (timezone.localdate() - moment).days


@register.filter
def is_overdue(deadline: datetime.date | None) -> bool:
    return bool(deadline and timezone.localdate() > deadline)


@register.filter
def transition_button(name: str) -> str:
    page = TRANSITIONS.get(name)
    return page.button if page else wording.transition_label(name)


@register.filter
def transition_style(name: str) -> str:
    page = TRANSITIONS.get(name)
    return page.style if page else ""


@register.filter
def event_title(event: CaseEvent) -> str:
    """Say what an audit event records, in a few words."""
    if event.type == EventType.TRANSITION and event.transition:
        return wording.transition_label(event.transition)
    return _label(EventType, event.type)


@register.filter
def event_detail(event: CaseEvent) -> str:
    """Return the one line of detail worth reading for an audit event (may be empty)."""
    details = event.details or {}
    kind = event.type
    if kind == EventType.TRANSITION:
        parts = []
        if event.from_state and event.to_state:
            parts.append(
                f"{wording.state_label(event.from_state)} → {wording.state_label(event.to_state)}"
            )
        for key, label in (("comment", "Comment"), ("reason", "Reason"), ("note", "Note")):
            if details.get(key):
                parts.append(f"{label}: {details[key]}")
        if details.get("decision"):
            parts.append(f"Decision: {_label(Decision, details['decision'])}")
        return ". ".join(parts)
    if kind == EventType.SECTION_UPDATED:
        fields = ", ".join(name.replace("_", " ") for name in details.get("fields", []))
        return f"{section_title(details.get('section', ''))}: {fields}"
    if kind in (EventType.OPTION_CREATED, EventType.OPTION_WITHDRAWN):
        text = details.get("title", "")
        if details.get("reason"):
            text += f". Reason: {details['reason']}"
        return text
    if kind == EventType.OPTION_UPDATED:
        return "Changed: " + ", ".join(f.replace("_", " ") for f in details.get("fields", []))
    if kind == EventType.SUBMISSION_UPDATED:
        return "Changed: " + ", ".join(
            SUBMISSION_FIELDS.get(f, f) for f in details.get("fields", [])
        )
    if kind == EventType.OPTION_GAP_RECORDED:
        return f"{details.get('category', '').capitalize()}: {details.get('reason') or '(cleared)'}"
    if kind in (EventType.TRIGGER_RECEIVED, EventType.TRIGGER_JOINED):
        return f"{details.get('source_body', '')} {details.get('reference', '')}".strip()
    if kind == EventType.DISSENT_RECORDED:
        return details.get("text", "")
    if kind in (EventType.COMMENT_ADDED, EventType.COMMENT_REPLIED, EventType.COMMENT_RESOLVED):
        on = section_title(details["section"]) if details.get("section") else details.get("title")
        return f"On {on}: {details['text']}" if details.get("text") else f"On {on}"
    if kind == EventType.REVIEW_VOIDED:
        return f"{_label(Stage, event.stage)} approval voided: its content changed."
    if kind.startswith("decision_record_"):
        return f"Decision record {details.get('number', '')}".strip()
    if kind.startswith("report_"):
        text = f"Report {details.get('number', '')}".strip()
        if details.get("reason"):
            text += f": {details['reason']}"
        return text
    return ""


# The fields a reader sees for each section kind, in reading order.
KIND_FIELDS = {
    "scope": (
        "period_start",
        "period_end",
        "groups_at_risk",
        "crimes_at_risk",
        "likely_perpetrators",
        "analysis",
    ),
    "risk_factor": ("rating", "confidence", "indicators", "analysis", "key_evidence"),
    "footprint": ("exposure", "confidence", "analysis"),
    "dimension": ("capacity", "confidence", "analysis"),
}


@register.simple_tag
def section_rows(content: dict[str, Any]) -> list[dict[str, str]]:
    """Return a section's content as ``{label, value}`` rows for a summary list."""
    try:
        kind = get_framework().section(content.get("code", "")).kind
    except FrameworkError:
        kind = "dimension"
    label = {"analysis": "Description of the situation"} if kind == "scope" else {}
    return [
        {"label": label.get(name, SECTION_FIELDS[name]), "value": display(name, content.get(name))}
        for name in KIND_FIELDS[kind]
    ]


@register.simple_tag
def option_rows(content: dict[str, Any]) -> list[dict[str, str]]:
    """Return an option's content as ``{label, value}`` rows for a summary list."""
    names = [n for n in OPTION_FIELDS if n not in ("category", "title", "withdrawn")]
    if not content.get("withdrawn"):
        names.remove("withdrawal_reason")
    return [{"label": OPTION_FIELDS[n], "value": display(n, content.get(n))} for n in names]


@register.filter
def written_date(value: Any) -> str:
    """A date kept as ``2026-12-05`` (in a section's content), written out."""
    return diff.written_date(value)


@register.filter
def source_text(source: dict[str, Any]) -> str:
    return source_line(source)
