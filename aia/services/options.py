"""The options register: add, change and withdraw options, and record why a core category
has none. Only the team's officials, only while the case is in ``options``."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from aia import permissions
from aia.exceptions import Conflict, InvalidInput, NotFound, PermissionRefused
from aia.models import Case, Option, OptionGap, User
from aia.models.choices import (
    CORE_OPTION_CATEGORIES,
    CaseState,
    EventType,
    LeadDepartment,
    Level,
    OptionCategory,
    Recommendation,
    RiskTrend,
    Stage,
)
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.services.reviews import reviews_void_stale
from aia.validation import Errors, choice, text, unknown_fields
from aia.wording import state_phrase

REQUIRED = (
    "category",
    "title",
    "lead_department",
    "expected_effect",
    "feasibility",
    "risk_of_harm",
    "recommendation",
)
MAX_OPTIONS = 200


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput(
            "Send the option as a JSON object.", {"non_field_errors": ["Send an object."]}
        )
    errors = Errors()
    unknown_fields(errors, data, Option.CONTENT_FIELDS)
    choices = {
        "category": OptionCategory.values,
        "lead_department": LeadDepartment.values,
        "expected_effect": Level.values,
        "feasibility": Level.values,
        "risk_of_harm": Level.values,
        "recommendation": Recommendation.values,
    }
    clean: dict[str, Any] = {}
    for field in Option.CONTENT_FIELDS:
        if partial and field not in data:
            continue
        required = field in REQUIRED
        if field in choices:
            clean[field] = choice(errors, data, field, choices[field], required=required)
        elif field in ("title", "timeframe"):
            clean[field] = text(
                errors, data, field, required=required, max_length=300 if field == "title" else 200
            )
        else:
            clean[field] = text(errors, data, field)
    errors.raise_if_any("The option was not saved: check the highlighted fields.")
    return clean


def option_check(*, data: dict[str, Any]) -> dict[str, list[str]]:
    """Return what is wrong with ``data`` as a whole option, field by field, without saving
    anything (empty when it is valid).

    A page whose own checks already failed asks this too, so the user hears of every problem
    in one round rather than the service's after the page's.
    """
    try:
        _clean(data, partial=False)
    except InvalidInput as error:
        return error.fields
    return {}


def _open_for_editing(case: Case, actor: User) -> Case:
    case = case_lock(case)
    if not permissions.can_edit_content(case, actor):
        raise PermissionRefused("Only officials on the case team can edit its options.")
    if case.state != CaseState.OPTIONS:
        raise Conflict(
            "The options register can be edited only while the case is "
            f"{state_phrase(CaseState.OPTIONS)}.",
            {"state": case.state},
        )
    return case


def _after_change(case: Case, actor: User) -> None:
    reviews_void_stale(case=case, actor=actor, stages=(Stage.OPTIONS, Stage.SIGN_OFF))


def option_create(*, case: Case, actor: User, data: dict[str, Any]) -> Option:
    """Add an option to the case's register."""
    clean = _clean(data, partial=False)
    with transaction.atomic():
        case = _open_for_editing(case, actor)
        if case.options.filter(version=case.version).count() >= MAX_OPTIONS:
            raise Conflict(f"A case can hold at most {MAX_OPTIONS} options.", {"state": case.state})
        now = timezone.now()
        option = Option.objects.create(
            case=case,
            version=case.version,
            created_at=now,
            updated_at=now,
            created_by=actor,
            **clean,
        )
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.OPTION_CREATED,
            stage=Stage.OPTIONS,
            details={
                "option": str(option.pk),
                "category": option.category,
                "title": option.title,
                "recommendation": option.recommendation,
            },
        )
        _after_change(case, actor)
    return option


def _locked_option(case: Case, option_id: Any) -> Option:
    option = (
        Option.objects.select_for_update()
        .filter(pk=option_id, case=case, version=case.version)
        .first()
    )
    if option is None:
        raise NotFound("There is no such option on this case.")
    return option


def option_update(*, case: Case, actor: User, option_id: Any, data: dict[str, Any]) -> Option:
    """Change some fields of an option. Unchanged content does nothing."""
    clean = _clean(data, partial=True)
    with transaction.atomic():
        case = _open_for_editing(case, actor)
        option = _locked_option(case, option_id)
        if option.withdrawn_at is not None:
            raise Conflict("A withdrawn option cannot be changed.", {"option": str(option.pk)})
        changed = {k: v for k, v in clean.items() if getattr(option, k) != v}
        if not changed:
            return option
        for name, value in changed.items():
            setattr(option, name, value)
        option.updated_at = timezone.now()
        option.save(update_fields=[*changed, "updated_at"])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.OPTION_UPDATED,
            stage=Stage.OPTIONS,
            details={"option": str(option.pk), "fields": sorted(changed)},
        )
        _after_change(case, actor)
    return option


def option_withdraw(*, case: Case, actor: User, option_id: Any, reason: str = "") -> Option:
    """Take an option out of consideration; it stays on the record."""
    with transaction.atomic():
        case = _open_for_editing(case, actor)
        option = _locked_option(case, option_id)
        if option.withdrawn_at is not None:
            return option
        option.withdrawn_at = timezone.now()
        option.withdrawal_reason = (reason or "").strip()[:2000]
        option.save(update_fields=["withdrawn_at", "withdrawal_reason"])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.OPTION_WITHDRAWN,
            stage=Stage.OPTIONS,
            details={
                "option": str(option.pk),
                "title": option.title,
                "reason": option.withdrawal_reason,
            },
        )
        _after_change(case, actor)
    return option


def option_gap_record(*, case: Case, actor: User, category: str, reason: str) -> OptionGap | None:
    """Record why a core category has no option; an empty reason clears the record."""
    errors = Errors()
    category = choice(
        errors,
        {"category": category},
        "category",
        [c.value for c in CORE_OPTION_CATEGORIES],
        required=True,
        label="core category",
    )
    reason = text(errors, {"reason": reason}, "reason")
    errors.raise_if_any("The reason was not saved.")
    with transaction.atomic():
        case = _open_for_editing(case, actor)
        gap = case.option_gaps.filter(version=case.version, category=category).first()
        if not reason:
            if gap is None:
                return None
            gap.delete()
            gap = None
        elif gap is None:
            gap = OptionGap.objects.create(
                case=case,
                version=case.version,
                category=category,
                reason=reason,
                recorded_at=timezone.now(),
                recorded_by=actor,
            )
        elif gap.reason == reason:
            return gap
        else:
            gap.reason = reason
            gap.recorded_at = timezone.now()
            gap.recorded_by = actor
            gap.save(update_fields=["reason", "recorded_at", "recorded_by"])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.OPTION_GAP_RECORDED,
            stage=Stage.OPTIONS,
            details={"category": category, "reason": reason},
        )
        _after_change(case, actor)
    return gap


# The submission's parts, by the name the services take and the Case field that holds each.
SUBMISSION_FIELDS = {
    "issue": "submission_issue",
    "recommendation": "submission_recommendation",
    "handling": "submission_handling",
    "trend": "submission_trend",
}
# The issue is one paragraph; the other two a few. The trend is a choice.
SUBMISSION_LIMITS = {"issue": 1500, "recommendation": 1500, "handling": 1500}


def submission_clean(*, data: dict[str, Any]) -> dict[str, str]:
    """Return the submission's parts checked, or raise ``InvalidInput`` naming each problem.

    The issue is a single paragraph (it heads the minister's two pages), and the
    recommendation is needed once anything is written.
    """
    if not isinstance(data, dict):
        raise InvalidInput("Send the submission as a JSON object.", {"non_field_errors": []})
    errors = Errors()
    unknown_fields(errors, data, SUBMISSION_FIELDS)
    clean = {
        name: text(errors, data, name, max_length=limit)
        for name, limit in SUBMISSION_LIMITS.items()
    }
    clean["trend"] = choice(errors, data, "trend", RiskTrend.values, label="trend of the risk")
    if "\n\n" in clean["issue"].replace("\r\n", "\n"):
        errors.add("issue", "Write the issue as one paragraph, without blank lines.")
    if (clean["issue"] or clean["handling"]) and not clean["recommendation"]:
        errors.add("recommendation", "Enter the recommendation.")
    errors.raise_if_any("The submission was not saved: check the highlighted fields.")
    return clean


def case_submission_update(*, case: Case, actor: User, data: dict[str, Any]) -> Case:
    """Save the submission to the minister: the issue, the recommendation, and handling.

    Written with the options and reviewed with them, so a change voids the options approval
    as an option's change does. Unchanged content does nothing.
    """
    clean = submission_clean(data=data)
    with transaction.atomic():
        case = _open_for_editing(case, actor)
        changed = {
            name: value
            for name, value in clean.items()
            if getattr(case, SUBMISSION_FIELDS[name]) != value
        }
        if not changed:
            return case
        for name, value in changed.items():
            setattr(case, SUBMISSION_FIELDS[name], value)
        case.save(update_fields=[SUBMISSION_FIELDS[name] for name in changed])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.SUBMISSION_UPDATED,
            stage=Stage.OPTIONS,
            details={"fields": sorted(changed)},
        )
        _after_change(case, actor)
    return case
