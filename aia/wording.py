"""How people read a case's states and transitions: the one place pages, notifications,
emails and the API's error messages take their wording from.

The names (``legal_review``, ``return_options``) are contract names for programs; people never
see them. Each state has a label (``CaseState``'s, for tags, headings and lists) and a phrase
that completes "The case is …". Each transition's wording lives with the rest of what AIA knows
of it, in ``aia.services.transitions.TRANSITIONS``: its ``title`` is the label, its ``phrase``
completes "You may not …" and its ``done`` completes "Ayesha Khan …".
``tests/web/test_wording.py`` renders every state and transition through here and fails if a
page, notification or email shows a name.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone

from aia.models.choices import CaseState

# Each state completes the sentence "The case is …".
STATE_PHRASES = {
    CaseState.TRIGGERED: "awaiting a team",
    CaseState.SCOPING: "being scoped",
    CaseState.ASSESSMENT: "at the assessment stage",
    CaseState.LEGAL_REVIEW: "with the legal adviser for legal review of the assessment",
    CaseState.OPTIONS: "at the options stage",
    CaseState.OPTIONS_REVIEW: "with the legal adviser for legal review of the options",
    CaseState.SIGN_OFF: "awaiting the SRO's sign-off",
    CaseState.SIGNED_OFF: "signed off and not yet with the minister",
    CaseState.WITH_MINISTER: "with the minister for a decision",
    CaseState.MONITORING: "being monitored after the minister's decision",
    CaseState.CLOSED: "closed",
    CaseState.WITHDRAWN: "withdrawn",
}


def _readable(name: str) -> str:
    # Only for a name this table does not know (a bug elsewhere): still no underscores.
    return name.replace("_", " ")


def state_label(state: str) -> str:
    """The state's label: "Legal review"."""
    try:
        return str(CaseState(state).label)
    except ValueError:
        return _readable(state).capitalize()


def state_phrase(state: str) -> str:
    """The state in a sentence, after "The case is": "with the minister for a decision"."""
    return STATE_PHRASES.get(state, _readable(state))


def states_phrase(states: Iterable[str]) -> str:
    """Several states as alternatives: "being scoped or at the assessment stage"."""
    return " or ".join(state_phrase(state) for state in states)


def _transition(name: str):
    # Imported here: the transitions' table names the case services, which use this module.
    from aia.services.transitions import TRANSITIONS

    return TRANSITIONS.get(name)


def transition_label(name: str) -> str:
    """The transition's label: "Return the options to the officials"."""
    spec = _transition(name)
    return spec.title if spec else _readable(name).capitalize()


def transition_phrase(name: str) -> str:
    """The transition in a sentence, after "to": "return the options to the officials"."""
    spec = _transition(name)
    return spec.phrase if spec else _readable(name)


def transition_done(name: str) -> str:
    """The transition once taken, after who took it: "returned the options to the officials"."""
    spec = _transition(name)
    return spec.done if spec else f"took the step {_readable(name)}"


def long_date(day: datetime.date | datetime.datetime | None) -> str:
    """A date written out, as people read it outside the API: "5 December 2026"."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)
    return f"{day.day} {day:%B %Y}"
