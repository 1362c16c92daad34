"""One service per transition of the case state machine (docs/architecture.md, *Transitions*).

Every service has the same shape: lock the case row, check the user's permission (403), the
state (409) and the guards (409), take the transition, save, write the audit event, and
schedule side effects once the transaction commits. ``_take_transition`` holds the shared
steps; the public services stay explicit so each can be found by name.
"""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import Transition, can_proceed

from aia import guards, permissions
from aia.exceptions import Conflict, InvalidInput, PermissionRefused
from aia.models import Case, Option, OptionDecision, OptionGap, Report, Section, User
from aia.models.choices import (
    CaseState,
    Decision,
    DecisionRecordKind,
    EventType,
    Marking,
    Recommendation,
    ReviewDecision,
    Role,
    Stage,
)
from aia.services.assessment import sections_create
from aia.services.audit import case_event_record
from aia.services.decision_records import decision_record_create
from aia.services.locking import case_lock
from aia.services.notifications import notify_transition
from aia.services.reports import report_create_for_sign_off, report_supersede
from aia.services.reviews import review_record
from aia.validation import Errors, choice, text
from aia.wording import state_phrase, transition_phrase

# Fields every transition may change, besides the ones it names itself.
_COMMON_FIELDS = ("state", "stage_started_at", "stage_deadline")


def _check_permission_and_state(case: Case, actor: User | None, name: str) -> None:
    """Refuse with 403 when the user may not take the transition, 409 when the state forbids it.

    ``actor`` is ``None`` only for the system (a new trigger reopening a case).
    """
    if actor is not None and not _definitions(case, name)[0].has_perm(case, actor):
        # Permissions do not depend on the source state, so any definition will do: a user
        # who may never take the transition hears that, not that the state is wrong.
        raise PermissionRefused(
            permissions.refusal_reason(case, actor, name),
            {"transition": name, "state": case.state},
        )
    if not can_proceed(getattr(case, name), check_conditions=False):
        raise Conflict(
            f"You cannot {transition_phrase(name)} now: the case is {state_phrase(case.state)}.",
            {"transition": name, "state": case.state},
        )


def _definitions(case: Case, name: str) -> list[Transition]:
    """The model's definitions of the transition, one per state it may be taken from."""
    return [t for t in case.get_all_state_transitions() if t.name == name]


def _check_guards(case: Case, name: str) -> None:
    """Refuse with 409 and the guard's explanation when a guard fails."""
    [transition] = [t for t in _definitions(case, name) if t.source == case.state]
    for guard in transition.conditions:
        explanation = guard.refusal(case)
        if explanation is not None:
            raise Conflict(**_guard_refusal(case, name, guard, explanation))


def _guard_refusal(case: Case, name: str, guard: guards.Guard, explanation: dict) -> dict:
    return {
        "message": explanation.pop("message"),
        "extra": {"transition": name, "state": case.state, "guard": guard.__name__, **explanation},
    }


def _refuse_if_not_allowed(case: Case, actor: User | None, name: str) -> None:
    _check_permission_and_state(case, actor, name)
    _check_guards(case, name)


def case_transition_refusal(
    *, case: Case, actor: User, name: str
) -> PermissionRefused | Conflict | None:
    """Return why the user may not take the transition now (the 403 or 409 the service would
    raise), or ``None``; read-only, so a page can refuse before asking for the inputs."""
    try:
        _refuse_if_not_allowed(case, actor, name)
    except (PermissionRefused, Conflict) as refusal:
        return refusal
    return None


def _take_transition(
    case: Case,
    actor: User | None,
    name: str,
    *,
    stage: str = "",
    details: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
    **kwargs: Any,
) -> None:
    """Check, take and record one transition on a case the caller has locked."""
    _refuse_if_not_allowed(case, actor, name)
    from_state = case.state
    getattr(case, name)(**kwargs)
    case.set_stage_deadline()
    case.save(update_fields=[*_COMMON_FIELDS, *fields])
    event = case_event_record(
        case=case,
        actor=actor,
        type=EventType.TRANSITION,
        transition=name,
        from_state=from_state,
        to_state=case.state,
        stage=stage,
        details=details,
    )
    notify_transition(case=case, actor=actor, transition=name, sequence=event.sequence)


def _required_text(value: Any, field: str, label: str) -> str:
    errors = Errors()
    cleaned = text(errors, {field: value}, field, required=True, label=label)
    errors.raise_if_any(f"Enter the {label}.")
    return cleaned


def _lock_and_check(case: Case, actor: User | None, name: str) -> Case:
    """Lock the case and refuse a user who may not take the transition now (403, then 409),
    before its inputs are checked: someone who may not act is told that, not what their
    input lacks."""
    case = case_lock(case)
    _check_permission_and_state(case, actor, name)
    return case


def _check_member(
    errors: Errors, field: str, user: User | None, role: Role, marking: str, *, required: bool
) -> None:
    if user is None:
        if required:
            errors.add(field, f"Choose the {field.replace('_', ' ')}.")
        return
    if not user.is_active or not user.has_role(role):
        errors.add(field, f"{user.display_name} does not hold the {role.label.lower()} role.")
    elif not user.is_cleared_for(marking):
        errors.add(field, f"{user.display_name} is not cleared for {marking} material.")


def _check_team(
    errors: Errors,
    marking: str,
    *,
    lead_official: User | None,
    legal_adviser: User | None,
    officials: Sequence[User],
    minister: User | None,
) -> None:
    """Add an error for each member who lacks their role or clearance, or is missing."""
    _check_member(errors, "lead_official", lead_official, Role.OFFICIAL, marking, required=True)
    _check_member(
        errors, "legal_adviser", legal_adviser, Role.LEGAL_ADVISER, marking, required=True
    )
    _check_member(errors, "minister", minister, Role.MINISTER, marking, required=False)
    for official in officials:
        _check_member(errors, "officials", official, Role.OFFICIAL, marking, required=False)


# ------------------------------------------------------------------------------
# Team
# ------------------------------------------------------------------------------
def case_assign(
    *,
    case: Case,
    actor: User,
    lead_official: User | None,
    legal_adviser: User | None,
    officials: Sequence[User] = (),
    minister: User | None = None,
    marking: str | None = None,
) -> Case:
    """Take on a triggered case as its SRO, name its team and start scoping."""
    with transaction.atomic():
        case = _lock_and_check(case, actor, "assign")
        errors = Errors()
        if marking is not None:
            marking = choice(errors, {"marking": marking}, "marking", Marking.values)
        team = {
            "lead_official": lead_official,
            "legal_adviser": legal_adviser,
            "officials": officials,
            "minister": minister,
        }
        _check_team(errors, marking or case.marking, **team)
        if actor.pk in {getattr(lead_official, "pk", None), getattr(legal_adviser, "pk", None)}:
            errors.add(
                "lead_official", "The SRO cannot also be the lead official or legal adviser."
            )
        errors.raise_if_any("Check the team.")
        case.lead_official = lead_official
        case.legal_adviser = legal_adviser
        case.minister = minister
        case.sro = actor
        if marking:
            case.marking = marking
        case.officials.set(officials)
        explanation = guards.team_is_named.refusal(case)
        if explanation is not None:
            raise Conflict(**_guard_refusal(case, "assign", guards.team_is_named, explanation))
        sections_create(case=case)
        _take_transition(
            case,
            actor,
            "assign",
            fields=["lead_official", "legal_adviser", "minister", "sro", "marking", "assigned_at"],
            details={
                "lead_official": lead_official.pk,
                "legal_adviser": legal_adviser.pk,
                "officials": [o.pk for o in officials],
                "minister": minister.pk if minister else None,
                "sro": actor.pk,
                "marking": case.marking,
            },
        )
    return case


def case_team_update(
    *,
    case: Case,
    actor: User,
    lead_official: User,
    legal_adviser: User,
    officials: Sequence[User] = (),
    minister: User | None = None,
) -> Case:
    """Change the team of an open, assigned case (the case's SRO only)."""
    with transaction.atomic():
        case = case_lock(case)
        if not permissions.is_case_sro(case, actor):
            raise PermissionRefused("Only the case's SRO can change its team.")
        if not case.is_open or case.state == CaseState.TRIGGERED:
            raise Conflict(
                "The team can be changed only on an assigned, open case.", {"state": case.state}
            )
        errors = Errors()
        _check_team(
            errors,
            case.marking,
            lead_official=lead_official,
            legal_adviser=legal_adviser,
            officials=officials,
            minister=minister,
        )
        errors.raise_if_any("Check the team.")
        before = {
            "lead_official": case.lead_official_id,
            "legal_adviser": case.legal_adviser_id,
            "minister": case.minister_id,
            "officials": sorted(case.officials.values_list("pk", flat=True)),
        }
        case.lead_official = lead_official
        case.legal_adviser = legal_adviser
        case.minister = minister
        case.save(update_fields=["lead_official", "legal_adviser", "minister"])
        case.officials.set(officials)
        after = {
            "lead_official": lead_official.pk,
            "legal_adviser": legal_adviser.pk,
            "minister": minister.pk if minister else None,
            "officials": sorted(o.pk for o in officials),
        }
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.TEAM_CHANGED,
            details={"before": before, "after": after},
        )
    return case


# ------------------------------------------------------------------------------
# Assessment
# ------------------------------------------------------------------------------
def case_start_assessment(*, case: Case, actor: User) -> Case:
    """Submit the scope and start the assessment."""
    with transaction.atomic():
        case = case_lock(case)
        _take_transition(case, actor, "start_assessment", stage=Stage.ASSESSMENT)
    return case


def case_submit_assessment(*, case: Case, actor: User) -> Case:
    """Submit the completed assessment for legal review."""
    with transaction.atomic():
        case = case_lock(case)
        _take_transition(case, actor, "submit_assessment", stage=Stage.ASSESSMENT)
    return case


def case_return_assessment(*, case: Case, actor: User, comment: str) -> Case:
    """Return the assessment to the officials with the legal adviser's comment."""
    with transaction.atomic():
        case = _lock_and_check(case, actor, "return_assessment")
        comment = _required_text(comment, "comment", "comment explaining what must change")
        _take_transition(
            case, actor, "return_assessment", stage=Stage.ASSESSMENT, details={"comment": comment}
        )
        review_record(
            case=case,
            reviewer=actor,
            stage=Stage.ASSESSMENT,
            decision=ReviewDecision.RETURNED,
            comment=comment,
        )
    return case


def case_approve_assessment(*, case: Case, actor: User, comment: str = "") -> Case:
    """Approve the assessment as it stands and move on to the options."""
    with transaction.atomic():
        case = case_lock(case)
        _refuse_if_not_allowed(case, actor, "approve_assessment")
        review = review_record(
            case=case,
            reviewer=actor,
            stage=Stage.ASSESSMENT,
            decision=ReviewDecision.APPROVED,
            comment=(comment or "").strip(),
        )
        _take_transition(
            case,
            actor,
            "approve_assessment",
            details={
                "comment": review.comment,
                "content_hash": review.content_hash,
                "review": review.pk,
            },
        )
    return case


# ------------------------------------------------------------------------------
# Options
# ------------------------------------------------------------------------------
def case_submit_options(*, case: Case, actor: User) -> Case:
    """Submit the options register for legal review."""
    with transaction.atomic():
        case = case_lock(case)
        _take_transition(case, actor, "submit_options", stage=Stage.OPTIONS)
    return case


def case_return_options(*, case: Case, actor: User, comment: str) -> Case:
    """Return the options to the officials with the legal adviser's comment."""
    with transaction.atomic():
        case = _lock_and_check(case, actor, "return_options")
        comment = _required_text(comment, "comment", "comment explaining what must change")
        _take_transition(case, actor, "return_options", details={"comment": comment})
        review_record(
            case=case,
            reviewer=actor,
            stage=Stage.OPTIONS,
            decision=ReviewDecision.RETURNED,
            comment=comment,
        )
    return case


def case_approve_options(*, case: Case, actor: User, comment: str = "") -> Case:
    """Approve the options and send the case for the SRO's sign-off."""
    with transaction.atomic():
        case = case_lock(case)
        _refuse_if_not_allowed(case, actor, "approve_options")
        review = review_record(
            case=case,
            reviewer=actor,
            stage=Stage.OPTIONS,
            decision=ReviewDecision.APPROVED,
            comment=(comment or "").strip(),
        )
        _take_transition(
            case,
            actor,
            "approve_options",
            details={
                "comment": review.comment,
                "content_hash": review.content_hash,
                "review": review.pk,
            },
        )
    return case


# ------------------------------------------------------------------------------
# Sign-off and the minister
# ------------------------------------------------------------------------------
def case_return_for_revision(*, case: Case, actor: User, comment: str) -> Case:
    """Send the case back to the options stage instead of signing it off."""
    with transaction.atomic():
        case = _lock_and_check(case, actor, "return_for_revision")
        comment = _required_text(comment, "comment", "comment explaining what must change")
        _take_transition(case, actor, "return_for_revision", details={"comment": comment})
        review_record(
            case=case,
            reviewer=actor,
            stage=Stage.SIGN_OFF,
            decision=ReviewDecision.RETURNED,
            comment=comment,
        )
    return case


def case_sign_off(*, case: Case, actor: User, password: str, comment: str = "") -> Case:
    """Sign off the case after re-authentication, freeze its snapshot and queue the report."""
    with transaction.atomic():
        case = case_lock(case)
        _refuse_if_not_allowed(case, actor, "sign_off")
        if not password:
            raise InvalidInput(
                "Enter your password to sign off.", {"password": ["Enter your password."]}
            )
        if not actor.check_password(password):
            raise PermissionRefused(
                "The password is not correct. Sign-off needs your own password.",
                {
                    "transition": "sign_off",
                    "fields": {"password": ["The password is not correct."]},
                },
            )
        review = review_record(
            case=case,
            reviewer=actor,
            stage=Stage.SIGN_OFF,
            decision=ReviewDecision.APPROVED,
            comment=(comment or "").strip(),
        )
        _take_transition(
            case,
            actor,
            "sign_off",
            by=actor,
            fields=["signed_off_at", "signed_off_by"],
            details={
                "content_hash": review.content_hash,
                "review": review.pk,
                "reauthenticated": True,
            },
        )
        report_create_for_sign_off(case=case, actor=actor)
    return case


def case_submit_to_minister(*, case: Case, actor: User) -> Case:
    """Put the signed, rendered report before the case's minister."""
    with transaction.atomic():
        case = case_lock(case)
        report = case.reports.filter(superseded_at__isnull=True).order_by("-number").first()
        _take_transition(
            case,
            actor,
            "submit_to_minister",
            fields=["submitted_to_minister_at"],
            details={
                "report": str(report.pk) if report else None,
                "report_sha256": report.sha256 if report else None,
            },
        )
    return case


def case_record_decision(
    *,
    case: Case,
    actor: User,
    decision: str,
    note: str,
    option_decisions: Mapping[str, str] | None = None,
) -> Case:
    """Record the minister's decision, overall and on each recommended option, and start
    monitoring.

    ``option_decisions`` maps option IDs to decisions. It may be left out when the overall
    decision is ``agreed`` or ``not_agreed`` (every recommended option then takes it), but
    ``agreed_in_part`` must say which options were agreed.
    """
    with transaction.atomic():
        case = _lock_and_check(case, actor, "record_decision")
        errors = Errors()
        decision = choice(
            errors, {"decision": decision}, "decision", Decision.values, required=True
        )
        note = text(errors, {"note": note}, "note", required=True, label="note of the decision")
        if option_decisions is not None and not isinstance(option_decisions, Mapping):
            errors.add("option_decisions", "Give the option decisions as {option id: decision}.")
            option_decisions = None
        errors.raise_if_any("Record a decision and a note.")
        recommended = _recommended_options(case)
        per_option = _decisions_per_option(recommended, decision, option_decisions or {})
        now = timezone.now()
        OptionDecision.objects.bulk_create(
            OptionDecision(
                case=case,
                version=case.version,
                option=option,
                decision=per_option[option_id],
                decided_at=now,
                decided_by=actor,
            )
            for option_id, option in recommended.items()
        )
        _take_transition(
            case,
            actor,
            "record_decision",
            decision=decision,
            note=note,
            stage=Stage.MINISTER,
            fields=["decision", "decision_note", "decided_at"],
            details={
                "decision": decision,
                "note": note,
                "options": {pk: per_option[pk] for pk in sorted(recommended)},
            },
        )
        decision_record_create(
            case=case,
            report=_answered_report(case),
            actor=actor,
            kind=DecisionRecordKind.DECISION,
            note=note,
            decision=decision,
        )
    return case


def _answered_report(case: Case) -> Report:
    """The signed report the minister answers: the case's current one (the caller holds the
    case lock, before any revision supersedes it)."""
    return case.reports.filter(superseded_at__isnull=True).order_by("-number").first()


def _recommended_options(case: Case) -> dict[str, Option]:
    """The options of the current version recommended to the minister, by ID."""
    options = case.options.filter(
        version=case.version, withdrawn_at__isnull=True, recommendation=Recommendation.RECOMMENDED
    )
    return {str(option.pk): option for option in options}


def _decisions_per_option(
    recommended: Mapping[str, Option], decision: str, given: Mapping[Any, str]
) -> dict[str, str]:
    """Each recommended option's decision: the one given for it, or the overall decision
    (which must then be ``agreed`` or ``not_agreed``). Refuses with field errors an option that
    is not recommended, a decision that is not agreed or not agreed, and an option left out
    of a decision agreed in part."""
    errors = Errors()
    given = {str(option_id): value for option_id, value in given.items()}
    for option_id, value in given.items():
        if option_id not in recommended:
            errors.add(f"option_decisions.{option_id}", "This is not a recommended option.")
        elif value not in Decision.values or value == Decision.AGREED_IN_PART:
            errors.add(f"option_decisions.{option_id}", "Choose agreed or not_agreed.")
    if decision == Decision.AGREED_IN_PART:
        for option_id, option in recommended.items():
            if option_id not in given:
                errors.add(
                    f"option_decisions.{option_id}", f"Say whether '{option.title}' is agreed."
                )
    errors.raise_if_any("Record a decision on each recommended option.")
    return {option_id: given.get(option_id, decision) for option_id in recommended}


def case_request_revision(*, case: Case, actor: User, comment: str) -> Case:
    """Send the signed report back for revision; the report is superseded."""
    with transaction.atomic():
        case = _lock_and_check(case, actor, "request_revision")
        comment = _required_text(comment, "comment", "comment explaining what must change")
        report = _answered_report(case)
        _take_transition(
            case,
            actor,
            "request_revision",
            stage=Stage.MINISTER,
            fields=["signed_off_at", "signed_off_by", "submitted_to_minister_at"],
            details={"comment": comment},
        )
        review_record(
            case=case,
            reviewer=actor,
            stage=Stage.MINISTER,
            decision=ReviewDecision.RETURNED,
            comment=comment,
        )
        report_supersede(case=case, actor=actor, reason="The minister requested a revision.")
        decision_record_create(
            case=case, report=report, actor=actor, kind=DecisionRecordKind.REVISION, note=comment
        )
    return case


# ------------------------------------------------------------------------------
# Monitoring and the end
# ------------------------------------------------------------------------------
def case_close(*, case: Case, actor: User, note: str) -> Case:
    """Close a monitored case with a closing note."""
    with transaction.atomic():
        case = _lock_and_check(case, actor, "close")
        note = _required_text(note, "note", "closing note")
        _take_transition(
            case,
            actor,
            "close",
            note=note,
            fields=["closing_note", "closed_at"],
            details={"note": note},
        )
    return case


def case_reopen(*, case: Case, actor: User | None, reason: str) -> Case:
    """Reopen a monitored case in a new assessment version, keeping the old one.

    ``actor`` is ``None`` when a new trigger reopens the case.
    """
    with transaction.atomic():
        case = _lock_and_check(case, actor, "reopen")
        reason = _required_text(reason, "reason", "reason for reopening")
        case = _reopen_locked(case, actor, reason)
    return case


def _reopen_locked(case: Case, actor: User | None, reason: str) -> Case:
    old_version = case.version
    _take_transition(
        case,
        actor,
        "reopen",
        fields=[
            "version",
            "reopened_at",
            "signed_off_at",
            "signed_off_by",
            "submitted_to_minister_at",
            "decision",
            "decision_note",
            "decided_at",
        ],
        details={"reason": reason, "previous_version": old_version},
    )
    _copy_content_to_version(case, old_version, case.version)
    report_supersede(case=case, actor=actor, reason=f"The case was reopened: {reason}")
    return case


def _copy_content_to_version(case: Case, old_version: int, new_version: int) -> None:
    """Carry the content forward into the new version; the old rows stay as they were."""
    sections = list(case.sections.filter(version=old_version))
    for section in sections:
        section.pk = None
        section._state.adding = True
        section.version = new_version
    Section.objects.bulk_create(sections)
    now = timezone.now()
    options = list(case.options.filter(version=old_version, withdrawn_at__isnull=True))
    for option in options:
        option.copied_from_id = option.copied_from_id or option.pk
        option.pk = None
        option._state.adding = True
        option.version = new_version
        option.updated_at = now
    for option in options:
        # bulk_create does not call the field's default for a cleared primary key.
        option.id = uuid.uuid4()
    Option.objects.bulk_create(options)
    gaps = list(case.option_gaps.filter(version=old_version))
    for gap in gaps:
        gap.pk = None
        gap._state.adding = True
        gap.version = new_version
    OptionGap.objects.bulk_create(gaps)


def case_withdraw(*, case: Case, actor: User, reason: str) -> Case:
    """Abandon a case before sign-off, with a reason."""
    with transaction.atomic():
        case = _lock_and_check(case, actor, "withdraw")
        reason = _required_text(reason, "reason", "reason for withdrawing the case")
        _take_transition(
            case,
            actor,
            "withdraw",
            reason=reason,
            fields=["withdrawal_reason", "withdrawn_at"],
            details={"reason": reason},
        )
    return case
