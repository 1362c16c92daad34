"""Who may do what: pure predicates ``can_<verb>(case, user)`` and the matching queryset filter.

These predicates are the single source of truth for ``@transition(permission=...)``, the
selectors, the browser views and the API. Each one first requires an active user cleared for
the case's marking; the role comes from the user's permissions (granted through the role
groups), the position from the case's team.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from aia.models.choices import CONTENT_EVENT_TYPES, CaseState, Marking, Stage, TriggerOutcome
from aia.wording import transition_phrase

if TYPE_CHECKING:
    from aia.models import Case, Report, User

# Permission codenames granted to the role groups (see the 0002 data migration).
VIEW_ALL_CASES = "aia.view_all_cases"
ASSIGN_CASE = "aia.assign_case"
EDIT_CASE_CONTENT = "aia.edit_case_content"
REVIEW_CASE = "aia.review_case"
SIGN_OFF_CASE = "aia.sign_off_case"
DECIDE_CASE = "aia.decide_case"
ADD_TRIGGER = "aia.add_trigger"
# Held by auditors: the audit trail, and with it the access and security logs.
VIEW_AUDIT = "aia.view_caseevent"

# Transitions that submit a stage's content: taking one counts as contributing to it.
SUBMITTING_TRANSITIONS = {
    Stage.ASSESSMENT: ("start_assessment", "submit_assessment"),
    Stage.OPTIONS: ("submit_options",),
}


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_cleared(case: Case, user: User) -> bool:
    return _active(user) and user.is_cleared_for(case.marking)


def is_team_official(case: Case, user: User) -> bool:
    """Return whether the user is the lead official or another official on the case."""
    if not (is_cleared(case, user) and user.has_perm(EDIT_CASE_CONTENT)):
        return False
    if case.lead_official_id == user.pk:
        return True
    return any(official.pk == user.pk for official in case.officials.all())


def is_on_team(case: Case, user: User) -> bool:
    if not _active(user):
        return False
    if user.pk in (case.lead_official_id, case.legal_adviser_id, case.sro_id, case.minister_id):
        return True
    return any(official.pk == user.pk for official in case.officials.all())


def is_case_legal_adviser(case: Case, user: User) -> bool:
    return (
        is_cleared(case, user) and case.legal_adviser_id == user.pk and user.has_perm(REVIEW_CASE)
    )


def is_case_sro(case: Case, user: User) -> bool:
    return is_cleared(case, user) and case.sro_id == user.pk and user.has_perm(SIGN_OFF_CASE)


def is_case_minister(case: Case, user: User) -> bool:
    return is_cleared(case, user) and case.minister_id == user.pk and user.has_perm(DECIDE_CASE)


def has_contributed(case: Case, user: User, stage: Stage) -> bool:
    """Return whether the user edited or submitted the stage's content in the current version.

    This is the four-eyes rule (docs/architecture.md, *Integrity rules*), read from the audit
    trail itself.
    """
    return case.events.filter(
        Q(type__in=CONTENT_EVENT_TYPES) | Q(transition__in=SUBMITTING_TRANSITIONS[stage]),
        actor_id=user.pk,
        version=case.version,
        stage=stage,
    ).exists()


# ------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------
def can_view_case(case: Case, user: User) -> bool:
    """Return whether the user may see the case at all (need-to-know and clearance)."""
    if not is_cleared(case, user):
        return False
    if user.has_perm(VIEW_ALL_CASES):
        return True
    # A case awaiting a team is seen by every SRO, who may take it on. (Asked before the
    # team, which may need the case's officials.)
    if case.state == CaseState.TRIGGERED and case.sro_id is None and user.has_perm(ASSIGN_CASE):
        return True
    return is_on_team(case, user) or is_reporter(case, user)


def is_reporter(case: Case, user: User) -> bool:
    """Return whether the user is an official who recorded the warning that opened the case,
    which is still awaiting its team: until the SRO names the team, the reporter may follow it
    (read only), as its team will."""
    if not (case.state == CaseState.TRIGGERED and case.sro_id is None):
        return False
    if not (is_cleared(case, user) and user.has_perm(EDIT_CASE_CONTENT)):
        return False
    return case.triggers.filter(received_by=user, outcome=TriggerOutcome.OPENED).exists()


def on_team_q(user: User) -> Q:
    """The queryset filter for the cases where ``is_on_team`` holds for an active user: a
    named position, or one of the officials."""
    from aia.models import Case

    officials = Case.officials.through.objects.filter(case=OuterRef("pk"), user=user)
    return (
        Q(lead_official=user)
        | Q(legal_adviser=user)
        | Q(sro=user)
        | Q(minister=user)
        | Q(Exists(officials))
    )


def case_visibility_q(user: User) -> Q:
    """Return the queryset filter that selects exactly the cases ``can_view_case`` allows."""
    if not _active(user):
        return Q(pk__in=[])
    covered = Marking.covered_by(user.clearance)
    # Cleared for every marking: no filter at all, so that counting the cases a reader may see
    # needs no scan of each case's marking (the case list counts them on every request).
    cleared = Q() if len(covered) == len(Marking.values) else Q(marking__in=covered)
    if user.has_perm(VIEW_ALL_CASES):
        return cleared
    on_team = on_team_q(user)
    if user.has_perm(ASSIGN_CASE):
        on_team |= Q(state=CaseState.TRIGGERED, sro__isnull=True)
    elif user.has_perm(EDIT_CASE_CONTENT):
        on_team |= reporter_q(user)
    return cleared & on_team


def reporter_q(user: User) -> Q:
    """The queryset filter for the cases where ``is_reporter`` holds (clearance aside)."""
    from aia.models import Trigger

    reported = Trigger.objects.filter(
        case=OuterRef("pk"), received_by=user, outcome=TriggerOutcome.OPENED
    )
    return Q(state=CaseState.TRIGGERED, sro__isnull=True) & Q(Exists(reported))


def can_read_report(report: Report, user: User) -> bool:
    """Return whether the user may open the report's PDF.

    Whoever may see the case may, except that a minister whose only place on the case is its
    minister reads a report once it has been submitted to them (docs/architecture.md,
    *Need-to-know*).
    """
    case = report.case
    if not can_view_case(case, user):
        return False
    if case.minister_id != user.pk or user.has_perm(VIEW_ALL_CASES):
        return True
    other_places = (case.lead_official_id, case.legal_adviser_id, case.sro_id)
    if user.pk in other_places or any(o.pk == user.pk for o in case.officials.all()):
        return True
    return case.events.filter(
        transition="submit_to_minister", occurred_at__gte=report.created_at
    ).exists()


def can_view_access_log(case: Case, user: User) -> bool:
    """Return whether the user may see who viewed the case and opened its reports (auditors)."""
    return can_view_case(case, user) and user.has_perm(VIEW_AUDIT)


def can_download_bundle(case: Case, user: User) -> bool:
    """Return whether the user may download the case's evidence bundle: auditors, and the
    case's SRO, who answers for its records (docs/architecture.md, *Evidence bundle*)."""
    if not can_view_case(case, user):
        return False
    return user.has_perm(VIEW_AUDIT) or is_case_sro(case, user)


def can_view_security_log(user: User) -> bool:
    """Return whether the user may see sign-ins, failures and lockouts (auditors)."""
    return _active(user) and user.has_perm(VIEW_AUDIT)


# ------------------------------------------------------------------------------
# Writing content
# ------------------------------------------------------------------------------
def can_edit_content(case: Case, user: User) -> bool:
    """Return whether the user may edit sections and options (in their editing state)."""
    return is_team_official(case, user)


def can_record_dissent(case: Case, user: User) -> bool:
    return is_cleared(case, user) and is_on_team(case, user)


def can_comment(case: Case, user: User) -> bool:
    """The legal adviser, the SRO and the officials on the team discuss the content; the
    minister, who hears only of what is put before them, does not."""
    return (
        is_team_official(case, user) or is_case_legal_adviser(case, user) or is_case_sro(case, user)
    )


def can_resolve_comment(case: Case, user: User) -> bool:
    """The officials who answer for the content say when a comment on it is dealt with."""
    return is_team_official(case, user)


def can_add_trigger(user: User) -> bool:
    return _active(user) and user.has_perm(ADD_TRIGGER)


def can_open_discretionary_assessment(user: User) -> bool:
    """SROs, who triage warnings, may open an assessment without a qualifying trigger."""
    return can_add_trigger(user) and user.has_perm(ASSIGN_CASE)


# ------------------------------------------------------------------------------
# Signing in
# ------------------------------------------------------------------------------
# The roles whose acts bind the UK (approving legal advice, signing off, deciding) sign in
# with a one-time code as well as a password; so do superusers, who reach the admin.
SECOND_FACTOR_PERMISSIONS = (REVIEW_CASE, SIGN_OFF_CASE, DECIDE_CASE)


def is_integration_account(user: User) -> bool:
    """Return whether the account is an integration account: a system posting triggers over
    the API, which holds the permission to add triggers and nothing else (no role, not staff).
    It signs in to the API with its token, never to the browser pages."""
    if user.is_superuser or user.is_staff:
        return False
    return user.get_all_permissions() == {ADD_TRIGGER}


def requires_second_factor(user: User) -> bool:
    """Return whether the user must verify a one-time code after the password."""
    if not _active(user):
        return False
    return user.is_superuser or any(user.has_perm(perm) for perm in SECOND_FACTOR_PERMISSIONS)


# ------------------------------------------------------------------------------
# Transitions (the signature django-fsm's permission= expects)
# ------------------------------------------------------------------------------
def can_assign(case: Case, user: User) -> bool:
    return is_cleared(case, user) and user.has_perm(ASSIGN_CASE)


def can_start_assessment(case: Case, user: User) -> bool:
    return is_team_official(case, user)


def can_submit_assessment(case: Case, user: User) -> bool:
    return is_team_official(case, user)


def can_return_assessment(case: Case, user: User) -> bool:
    return is_case_legal_adviser(case, user)


def can_approve_assessment(case: Case, user: User) -> bool:
    return is_case_legal_adviser(case, user) and not has_contributed(case, user, Stage.ASSESSMENT)


def can_submit_options(case: Case, user: User) -> bool:
    return is_team_official(case, user)


def can_return_options(case: Case, user: User) -> bool:
    return is_case_legal_adviser(case, user)


def can_approve_options(case: Case, user: User) -> bool:
    return is_case_legal_adviser(case, user) and not has_contributed(case, user, Stage.OPTIONS)


def can_return_for_revision(case: Case, user: User) -> bool:
    return is_case_sro(case, user)


def can_sign_off(case: Case, user: User) -> bool:
    return (
        is_case_sro(case, user)
        and not has_contributed(case, user, Stage.ASSESSMENT)
        and not has_contributed(case, user, Stage.OPTIONS)
    )


def can_submit_to_minister(case: Case, user: User) -> bool:
    return is_case_sro(case, user) or (
        is_cleared(case, user)
        and case.lead_official_id == user.pk
        and user.has_perm(EDIT_CASE_CONTENT)
    )


def can_record_decision(case: Case, user: User) -> bool:
    return is_case_minister(case, user)


def can_request_revision(case: Case, user: User) -> bool:
    return is_case_minister(case, user)


def can_sign_off_role(case: Case, user: User) -> bool:
    """Return whether the user is the case's SRO (for report housekeeping)."""
    return is_case_sro(case, user)


def can_close(case: Case, user: User) -> bool:
    return is_case_sro(case, user)


def can_reopen(case: Case, user: User) -> bool:
    return is_case_sro(case, user)


def can_withdraw(case: Case, user: User) -> bool:
    # A trigger that does not qualify is withdrawn at triage, before any SRO owns the case.
    if case.sro_id is None:
        return is_cleared(case, user) and user.has_perm(ASSIGN_CASE)
    return is_case_sro(case, user)


# The position a four-eyes transition needs, and the stages the rule covers, for explaining
# a refusal.
FOUR_EYES = {
    "approve_assessment": (is_case_legal_adviser, (Stage.ASSESSMENT,)),
    "approve_options": (is_case_legal_adviser, (Stage.OPTIONS,)),
    "sign_off": (is_case_sro, (Stage.ASSESSMENT, Stage.OPTIONS)),
}


def refusal_reason(case: Case, user: User, transition: str) -> str:
    """Explain in plain words why the user may not take the transition."""
    if not _active(user):
        return "Your account is not active."
    if not user.is_cleared_for(case.marking):
        return f"You are not cleared for {case.marking} material."
    position, stages = FOUR_EYES.get(transition, (None, ()))
    contributed = [stage.label.lower() for stage in stages if has_contributed(case, user, stage)]
    if position is not None and position(case, user) and contributed:
        return (
            f"You edited or submitted the {' and '.join(contributed)} content of this case, "
            "so someone else must approve it (four-eyes rule)."
        )
    return f"Your role on this case does not allow you to {transition_phrase(transition)}."
