"""What each transition needs in tests: its source state, who may take it, and a valid call."""

from collections.abc import Callable
from typing import Any

from aia.models import Case, User
from aia.models.choices import CaseState
from aia.services import cases as s
from tests.factories import (
    PASSWORD,
    Team,
    case_in_state,
    fill_assessment,
    fill_options,
    fill_scope,
)


def _assign(case: Case, actor: User, team: Team) -> Any:
    return s.case_assign(
        case=case,
        actor=actor,
        lead_official=team.lead,
        legal_adviser=team.legal,
        officials=[team.official],
        minister=team.minister,
    )


# name: (the state to build the case in, the attributes of the Team allowed, the call)
TRANSITIONS: dict[str, tuple[str, tuple[str, ...], Callable[[Case, User, Team], Any]]] = {
    "assign": (CaseState.TRIGGERED, ("sro", "other_sro"), _assign),
    "start_assessment": (
        CaseState.SCOPING,
        ("lead", "official"),
        lambda c, u, t: s.case_start_assessment(case=c, actor=u),
    ),
    "submit_assessment": (
        CaseState.ASSESSMENT,
        ("lead", "official"),
        lambda c, u, t: s.case_submit_assessment(case=c, actor=u),
    ),
    "return_assessment": (
        CaseState.LEGAL_REVIEW,
        ("legal",),
        lambda c, u, t: s.case_return_assessment(case=c, actor=u, comment="Needs more."),
    ),
    "approve_assessment": (
        CaseState.LEGAL_REVIEW,
        ("legal",),
        lambda c, u, t: s.case_approve_assessment(case=c, actor=u),
    ),
    "submit_options": (
        CaseState.OPTIONS,
        ("lead", "official"),
        lambda c, u, t: s.case_submit_options(case=c, actor=u),
    ),
    "return_options": (
        CaseState.OPTIONS_REVIEW,
        ("legal",),
        lambda c, u, t: s.case_return_options(case=c, actor=u, comment="Needs more."),
    ),
    "approve_options": (
        CaseState.OPTIONS_REVIEW,
        ("legal",),
        lambda c, u, t: s.case_approve_options(case=c, actor=u),
    ),
    "return_for_revision": (
        CaseState.SIGN_OFF,
        ("sro",),
        lambda c, u, t: s.case_return_for_revision(case=c, actor=u, comment="Rethink."),
    ),
    "sign_off": (
        CaseState.SIGN_OFF,
        ("sro",),
        lambda c, u, t: s.case_sign_off(case=c, actor=u, password=PASSWORD),
    ),
    "submit_to_minister": (
        CaseState.SIGNED_OFF,
        ("sro", "lead"),
        lambda c, u, t: s.case_submit_to_minister(case=c, actor=u),
    ),
    "record_decision": (
        CaseState.WITH_MINISTER,
        ("minister",),
        lambda c, u, t: s.case_record_decision(case=c, actor=u, decision="agreed", note="Yes."),
    ),
    "request_revision": (
        CaseState.WITH_MINISTER,
        ("minister",),
        lambda c, u, t: s.case_request_revision(case=c, actor=u, comment="Reconsider."),
    ),
    "close": (
        CaseState.MONITORING,
        ("sro",),
        lambda c, u, t: s.case_close(case=c, actor=u, note="Done."),
    ),
    "reopen": (
        CaseState.MONITORING,
        ("sro",),
        lambda c, u, t: s.case_reopen(case=c, actor=u, reason="Worse."),
    ),
    "withdraw": (
        CaseState.OPTIONS,
        ("sro",),
        lambda c, u, t: s.case_withdraw(case=c, actor=u, reason="Superseded."),
    ),
}


def allowed_actor(name: str, team: Team) -> User:
    return getattr(team, TRANSITIONS[name][1][0])


def take(name: str, case: Case, actor: User, team: Team) -> Case:
    return TRANSITIONS[name][2](case, actor, team)


# What a case needs before a guarded transition can be taken from its source state.
PREPARE: dict[str, Callable[[Case, Team], None]] = {
    "start_assessment": lambda c, t: fill_scope(c, t.lead),
    "submit_assessment": lambda c, t: fill_assessment(c, t.official),
    "submit_options": lambda c, t: fill_options(c, t.official),
}


def case_ready_for(name: str, team: Team) -> Case:
    """Return a case in the transition's source state with its guards satisfied."""
    case = case_in_state(team, TRANSITIONS[name][0])
    if name in PREPARE:
        PREPARE[name](case, team)
    return case
