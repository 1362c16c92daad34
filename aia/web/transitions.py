"""The transitions as the pages present them: a button, a confirmation page and its inputs.

The case page shows a button for each name ``aia.selectors.case_available_transitions``
returns, never a fixed list; this module only says how each one looks and which service
takes it. ``transition_refusal`` explains, before the user fills anything in, why a
transition is not open to them now (the services give the same answers when it is taken).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aia import selectors
from aia.exceptions import ApplicationError, Conflict
from aia.models import Case, User
from aia.services import cases as case_services
from aia.web import forms as web_forms


@dataclass(frozen=True)
class TransitionPage:
    """How one transition appears: its button, its page and the service that takes it."""

    service: Callable[..., Any]
    button: str
    title: str
    explanation: str
    submit: str
    form: type | None = None
    form_kwargs: dict[str, str] | None = None
    # "secondary" or "warning" buttons; the main step forward is a primary button.
    style: str = ""
    # A dedicated page (URL name) instead of the generic confirmation page.
    page: str = ""
    success: str = "Done."


_COMMENT = web_forms.CommentForm

PAGES: dict[str, TransitionPage] = {
    "assign": TransitionPage(
        case_services.case_assign,
        button="Assign the team",
        title="Assign the team and start scoping",
        explanation="You become the case's Senior Responsible Owner. The lead official and the "
        "legal adviser are required; everyone must hold their role and be cleared for the "
        "case's protective marking.",
        submit="Assign the team",
        form=web_forms.TeamForm,
        success="The team is assigned and the case is in scoping.",
    ),
    "start_assessment": TransitionPage(
        case_services.case_start_assessment,
        button="Start the assessment",
        title="Start the assessment",
        explanation="The scope stays editable during the assessment. The risk factors, the UK "
        "footprint and the dimensions become editable.",
        submit="Start the assessment",
        form=web_forms.ConfirmForm,
        success="The assessment has started.",
    ),
    "submit_assessment": TransitionPage(
        case_services.case_submit_assessment,
        button="Submit the assessment for legal review",
        title="Submit the assessment for legal review",
        explanation="The case's legal adviser will approve the assessment or return it. Nobody "
        "can edit it while it is with them.",
        submit="Submit for legal review",
        form=web_forms.ConfirmForm,
        success="The assessment is with the legal adviser.",
    ),
    "return_assessment": TransitionPage(
        case_services.case_return_assessment,
        button="Return the assessment",
        title="Return the assessment to the officials",
        explanation="Say what must change. The officials see your comment on the case page.",
        submit="Return the assessment",
        form=_COMMENT,
        form_kwargs={"label": "What must change?"},
        style="secondary",
        success="The assessment is returned to the officials.",
    ),
    "approve_assessment": TransitionPage(
        case_services.case_approve_assessment,
        button="Approve the assessment",
        title="Approve the assessment",
        explanation="Your approval records the fingerprint (SHA-256) of the assessment as it "
        "stands now. Any later change to it voids the approval.",
        submit="Approve the assessment",
        form=_COMMENT,
        form_kwargs={"label": "Comment (optional)"},
        success="The assessment is approved; the officials can now map the options.",
    ),
    "submit_options": TransitionPage(
        case_services.case_submit_options,
        button="Submit the options for legal review",
        title="Submit the options for legal review",
        explanation="The case's legal adviser will approve the options or return them.",
        submit="Submit for legal review",
        form=web_forms.ConfirmForm,
        success="The options are with the legal adviser.",
    ),
    "return_options": TransitionPage(
        case_services.case_return_options,
        button="Return the options",
        title="Return the options to the officials",
        explanation="Say what must change. The officials see your comment on the case page.",
        submit="Return the options",
        form=_COMMENT,
        form_kwargs={"label": "What must change?"},
        style="secondary",
        success="The options are returned to the officials.",
    ),
    "approve_options": TransitionPage(
        case_services.case_approve_options,
        button="Approve the options",
        title="Approve the options",
        explanation="Your approval records the fingerprint (SHA-256) of the options register "
        "as it stands now, and sends the case to its SRO for sign-off.",
        submit="Approve the options",
        form=_COMMENT,
        form_kwargs={"label": "Comment (optional)"},
        success="The options are approved; the case awaits the SRO's sign-off.",
    ),
    "return_for_revision": TransitionPage(
        case_services.case_return_for_revision,
        button="Return for revision",
        title="Return the case for revision",
        explanation="The case goes back to the options stage. Say what must change.",
        submit="Return for revision",
        form=_COMMENT,
        form_kwargs={"label": "What must change?"},
        style="secondary",
        success="The case is returned to the options stage.",
    ),
    "sign_off": TransitionPage(
        case_services.case_sign_off,
        button="Sign off",
        title="Sign off the assessment",
        explanation="",
        submit="Sign off",
        page="web:sign-off",
        success="Signed off. The report is being rendered from a frozen snapshot.",
    ),
    "submit_to_minister": TransitionPage(
        case_services.case_submit_to_minister,
        button="Submit to the minister",
        title="Submit the signed report to the minister",
        explanation="The minister will read the signed report and record a decision, or send "
        "it back for revision.",
        submit="Submit to the minister",
        form=web_forms.ConfirmForm,
        success="The signed report is with the minister.",
    ),
    "record_decision": TransitionPage(
        case_services.case_record_decision,
        button="Record the decision",
        title="Record the decision",
        explanation="",
        submit="Record the decision",
        page="web:minister",
        success="Your decision is recorded; the case is now monitored.",
    ),
    "request_revision": TransitionPage(
        case_services.case_request_revision,
        button="Request a revision",
        title="Send the report back for revision",
        explanation="The signed report is superseded and the case returns to the options "
        "stage. Say what must change.",
        submit="Request a revision",
        form=_COMMENT,
        form_kwargs={"label": "What must change?"},
        style="secondary",
        success="The report is sent back for revision.",
    ),
    "close": TransitionPage(
        case_services.case_close,
        button="Close the case",
        title="Close the case",
        explanation="A closed case can no longer change. A new trigger for the situation "
        "opens a new case linked to this one.",
        submit="Close the case",
        form=web_forms.NoteForm,
        form_kwargs={"label": "Closing note"},
        style="secondary",
        success="The case is closed.",
    ),
    "reopen": TransitionPage(
        case_services.case_reopen,
        button="Reopen the case",
        title="Reopen the case",
        explanation="The case returns to the assessment in a new version; the current version "
        "and its signed report stay on the record.",
        submit="Reopen the case",
        form=web_forms.ReasonForm,
        form_kwargs={"label": "Why reopen it?"},
        style="secondary",
        success="The case is reopened in a new version.",
    ),
    "withdraw": TransitionPage(
        case_services.case_withdraw,
        button="Withdraw the case",
        title="Withdraw the case",
        explanation="A withdrawn case is abandoned for good, with your reason on the record.",
        submit="Withdraw the case",
        form=web_forms.ReasonForm,
        form_kwargs={"label": "Why withdraw it?"},
        style="warning",
        success="The case is withdrawn.",
    ),
}


def page_transitions(case: Case, user: User) -> list[str]:
    """Return the transitions to offer the user as buttons, in the state machine's order:
    exactly ``aia.selectors.case_available_transitions`` (those the pages know)."""
    return [
        name for name in selectors.case_available_transitions(case=case, user=user) if name in PAGES
    ]


def transition_refusal(case: Case, user: User, name: str) -> ApplicationError | None:
    """Return why the user may not take the transition now (403 or 409), or ``None``."""
    return case_services.case_transition_refusal(case=case, actor=user, name=name)


def blocked_transitions(case: Case, user: User) -> list[dict[str, Any]]:
    """Return the transitions from the current state the user could take but for a guard.

    The case page explains these ("to submit the assessment, complete rf3, rf7 …") so that
    a missing button never leaves the user guessing.
    """
    blocked = []
    for transition in case.get_all_state_transitions():
        if transition.source != case.state or transition.name not in PAGES:
            continue
        refusal = transition_refusal(case, user, transition.name)
        # Only a failing guard counts: a role refusal is not the user's step to unblock.
        if isinstance(refusal, Conflict) and "guard" in refusal.extra:
            blocked.append(
                {
                    "name": transition.name,
                    "button": PAGES[transition.name].button,
                    "message": refusal.message,
                    "extra": refusal.extra,
                }
            )
    return blocked
