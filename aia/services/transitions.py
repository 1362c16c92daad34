"""Every transition of a case in one table.

The graph (which state each transition leaves and enters, its guards, who may take it) lives
on ``aia.models.Case``; each transition is taken by one service in ``aia.services.cases``.
This table says the rest, once, for everything that offers a transition:

- the service that takes it and the inputs it reads, each with its kind and whether the
  service requires it (the API builds each transition's body from these; the pages build
  their forms);
- who may take it: the permission predicate, the same function the model's transition names
  (a test checks they agree), and the same in words;
- how people read it: the button, the page's title (its label everywhere), explanation and
  submit button, what the page says once it is done, and the phrases that put it in a
  sentence (``aia.wording`` reads them, with the states' wording);
- whom it notifies: the kind of notification and the positions on the team told.

``tests/services/test_transition_registry.py`` checks that its names are exactly the model's.
"""

from collections.abc import Callable
from dataclasses import dataclass

from aia import permissions
from aia.models import Case, Notification, User
from aia.models.choices import Decision, Marking
from aia.services import cases

Kind = Notification.Kind


@dataclass(frozen=True)
class Input:
    """One input of a transition: a keyword argument of its service."""

    name: str
    # "text", "password", "choice" (one of ``choices``), "user" or "users" (named people),
    # or "decisions" (a decision, from ``choices``, for each recommended option).
    kind: str
    label: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Transition:
    """What AIA knows of one transition besides its place in the graph."""

    name: str
    service: Callable[..., Case]
    permission: Callable[[Case, User], bool]
    who: str  # who may take it, in words
    button: str
    title: str
    explanation: str
    submit: str
    success: str
    # The transition in sentences (``aia.wording``): after "to", and after who took it.
    phrase: str
    done: str
    inputs: tuple[Input, ...] = ()
    # "secondary" or "warning" buttons; the main step forward is a primary button.
    style: str = ""
    # The notification it sends (a ``Notification.Kind``), and to which team positions.
    notice: str = ""
    notifies: tuple[str, ...] = ()

    def input_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.inputs)


def _comment(label: str, *, required: bool = True) -> Input:
    return Input("comment", "text", label, required=required)


_DECISIONS = tuple((choice.value, str(choice.label)) for choice in Decision)
_OPTION_DECISIONS = ((Decision.AGREED.value, "Agreed"), (Decision.NOT_AGREED.value, "Not agreed"))
_WHAT_MUST_CHANGE = "What must change?"
_OPTIONAL_COMMENT = "Comment (optional)"
# Everyone on the team but the minister, who hears only of what is put before them.
_TEAM_BUT_MINISTER = ("sro", "lead_official", "officials", "legal_adviser")

_TABLE = (
    Transition(
        name="assign",
        service=cases.case_assign,
        permission=permissions.can_assign,
        who="any SRO cleared for the case, who becomes its SRO",
        button="Assign the team",
        title="Assign the team and start scoping",
        explanation="You become the case's Senior Responsible Owner. The lead official and "
        "the legal adviser are required; everyone must hold their role and be cleared for the "
        "case's protective marking.",
        submit="Assign the team",
        success="The team is assigned and the case is in scoping.",
        phrase="assign the team",
        done="assigned the team",
        inputs=(
            Input("lead_official", "user", "Lead official", required=True),
            Input("legal_adviser", "user", "Legal adviser", required=True),
            Input("officials", "users", "Other officials"),
            Input("minister", "user", "Minister"),
            Input(
                "marking",
                "choice",
                "Protective marking",
                choices=tuple(Marking.choices),
                help="Change the case's marking.",
            ),
        ),
        notice=Kind.ASSIGNED,
        notifies=("lead_official", "officials", "legal_adviser", "minister"),
    ),
    Transition(
        name="start_assessment",
        service=cases.case_start_assessment,
        permission=permissions.can_start_assessment,
        who="an official on the team",
        button="Start the assessment",
        title="Start the assessment",
        explanation="The scope stays editable during the assessment. The risk factors, the UK "
        "footprint and the dimensions become editable.",
        submit="Start the assessment",
        success="The assessment has started.",
        phrase="start the assessment",
        done="started the assessment",
    ),
    Transition(
        name="submit_assessment",
        service=cases.case_submit_assessment,
        permission=permissions.can_submit_assessment,
        who="an official on the team",
        button="Submit the assessment for legal review",
        title="Submit the assessment for legal review",
        explanation="The case's legal adviser will approve the assessment or return it. Nobody "
        "can edit it while it is with them.",
        submit="Submit for legal review",
        success="The assessment is with the legal adviser.",
        phrase="submit the assessment for legal review",
        done="submitted the assessment for legal review",
        notice=Kind.SUBMITTED,
        notifies=("legal_adviser",),
    ),
    Transition(
        name="return_assessment",
        service=cases.case_return_assessment,
        permission=permissions.can_return_assessment,
        who="the case's legal adviser",
        button="Return the assessment",
        title="Return the assessment to the officials",
        explanation="Say what must change. The officials see your comment on the case page.",
        submit="Return the assessment",
        success="The assessment is returned to the officials.",
        phrase="return the assessment to the officials",
        done="returned the assessment to the officials",
        inputs=(_comment(_WHAT_MUST_CHANGE),),
        style="secondary",
        notice=Kind.RETURNED,
        notifies=("lead_official", "officials"),
    ),
    Transition(
        name="approve_assessment",
        service=cases.case_approve_assessment,
        permission=permissions.can_approve_assessment,
        who="the case's legal adviser, if they did not edit or submit the assessment",
        button="Approve the assessment",
        title="Approve the assessment",
        explanation="Your approval records the fingerprint (SHA-256) of the assessment as it "
        "stands now. Any later change to it voids the approval.",
        submit="Approve the assessment",
        success="The assessment is approved; the officials can now map the options.",
        phrase="approve the assessment",
        done="approved the assessment",
        inputs=(_comment(_OPTIONAL_COMMENT, required=False),),
        notice=Kind.APPROVED,
        notifies=("lead_official", "officials"),
    ),
    Transition(
        name="submit_options",
        service=cases.case_submit_options,
        permission=permissions.can_submit_options,
        who="an official on the team",
        button="Submit the options for legal review",
        title="Submit the options for legal review",
        explanation="The case's legal adviser will approve the options or return them.",
        submit="Submit for legal review",
        success="The options are with the legal adviser.",
        phrase="submit the options for legal review",
        done="submitted the options for legal review",
        notice=Kind.SUBMITTED,
        notifies=("legal_adviser",),
    ),
    Transition(
        name="return_options",
        service=cases.case_return_options,
        permission=permissions.can_return_options,
        who="the case's legal adviser",
        button="Return the options",
        title="Return the options to the officials",
        explanation="Say what must change. The officials see your comment on the case page.",
        submit="Return the options",
        success="The options are returned to the officials.",
        phrase="return the options to the officials",
        done="returned the options to the officials",
        inputs=(_comment(_WHAT_MUST_CHANGE),),
        style="secondary",
        notice=Kind.RETURNED,
        notifies=("lead_official", "officials"),
    ),
    Transition(
        name="approve_options",
        service=cases.case_approve_options,
        permission=permissions.can_approve_options,
        who="the case's legal adviser, if they did not edit or submit the options",
        button="Approve the options",
        title="Approve the options",
        explanation="Your approval records the fingerprint (SHA-256) of the options register "
        "as it stands now, and sends the case to its SRO for sign-off.",
        submit="Approve the options",
        success="The options are approved; the case awaits the SRO's sign-off.",
        phrase="approve the options",
        done="approved the options",
        inputs=(_comment(_OPTIONAL_COMMENT, required=False),),
        notice=Kind.APPROVED,
        notifies=("sro", "lead_official"),
    ),
    Transition(
        name="return_for_revision",
        service=cases.case_return_for_revision,
        permission=permissions.can_return_for_revision,
        who="the case's SRO",
        button="Return for revision",
        title="Return the case for revision",
        explanation="The case goes back to the options stage. Say what must change.",
        submit="Return for revision",
        success="The case is returned to the options stage.",
        phrase="return the case for revision",
        done="returned the case for revision",
        inputs=(_comment(_WHAT_MUST_CHANGE),),
        style="secondary",
        notice=Kind.RETURNED,
        notifies=("lead_official", "officials", "legal_adviser"),
    ),
    Transition(
        name="sign_off",
        service=cases.case_sign_off,
        permission=permissions.can_sign_off,
        who="the case's SRO, if they did not edit or submit the assessment or the options",
        button="Sign off",
        title="Sign off the assessment",
        explanation="",
        submit="Sign off",
        success="Signed off. The report is being rendered from a frozen snapshot.",
        phrase="sign off the assessment",
        done="signed off the assessment",
        inputs=(
            Input("password", "password", "Your password", required=True),
            _comment(_OPTIONAL_COMMENT, required=False),
        ),
        notice=Kind.SIGNED_OFF,
        notifies=("lead_official", "legal_adviser"),
    ),
    Transition(
        name="submit_to_minister",
        service=cases.case_submit_to_minister,
        permission=permissions.can_submit_to_minister,
        who="the case's SRO or lead official",
        button="Submit to the minister",
        title="Submit the signed report to the minister",
        explanation="The minister will read the signed report and record a decision, or send "
        "it back for revision.",
        submit="Submit to the minister",
        success="The signed report is with the minister.",
        phrase="submit the signed report to the minister",
        done="submitted the signed report to the minister",
        notice=Kind.WITH_MINISTER,
        notifies=("minister", "sro", "lead_official"),
    ),
    Transition(
        name="record_decision",
        service=cases.case_record_decision,
        permission=permissions.can_record_decision,
        who="the case's minister",
        button="Record the decision",
        title="Record the decision",
        explanation="",
        submit="Record the decision",
        success="Your decision is recorded; the case is now monitored.",
        phrase="record the minister's decision",
        done="recorded the minister's decision",
        inputs=(
            Input("decision", "choice", "Decision", required=True, choices=_DECISIONS),
            Input("note", "text", "Note of the decision", required=True),
            Input(
                "option_decisions",
                "decisions",
                "Decision on each recommended option",
                choices=_OPTION_DECISIONS,
                help="{option id: decision}; required for each recommended option when the "
                "decision is `agreed_in_part`.",
            ),
        ),
        notice=Kind.DECISION_RECORDED,
        notifies=_TEAM_BUT_MINISTER,
    ),
    Transition(
        name="request_revision",
        service=cases.case_request_revision,
        permission=permissions.can_request_revision,
        who="the case's minister",
        button="Request a revision",
        title="Send the report back for revision",
        explanation="The signed report is superseded and the case returns to the options "
        "stage. Say what must change.",
        submit="Request a revision",
        success="The report is sent back for revision.",
        phrase="send the report back for revision",
        done="sent the report back for revision",
        inputs=(_comment(_WHAT_MUST_CHANGE),),
        style="secondary",
        notice=Kind.RETURNED,
        notifies=_TEAM_BUT_MINISTER,
    ),
    Transition(
        name="close",
        service=cases.case_close,
        permission=permissions.can_close,
        who="the case's SRO",
        button="Close the case",
        title="Close the case",
        explanation="A closed case can no longer change. A new trigger for the situation "
        "opens a new case linked to this one.",
        submit="Close the case",
        success="The case is closed.",
        phrase="close the case",
        done="closed the case",
        inputs=(Input("note", "text", "Closing note", required=True),),
        style="secondary",
    ),
    Transition(
        name="reopen",
        service=cases.case_reopen,
        permission=permissions.can_reopen,
        who="the case's SRO, or AIA itself when a new trigger arrives",
        button="Reopen the case",
        title="Reopen the case",
        explanation="The case returns to the assessment in a new version; the current version "
        "and its signed report stay on the record.",
        submit="Reopen the case",
        success="The case is reopened in a new version.",
        phrase="reopen the case",
        done="reopened the case",
        inputs=(Input("reason", "text", "Why reopen it?", required=True),),
        style="secondary",
        notice=Kind.TRIGGER_JOINED,
        notifies=_TEAM_BUT_MINISTER,
    ),
    Transition(
        name="withdraw",
        service=cases.case_withdraw,
        permission=permissions.can_withdraw,
        who="the case's SRO (any SRO cleared for it before it has one)",
        button="Withdraw the case",
        title="Withdraw the case",
        explanation="A withdrawn case is abandoned for good, with your reason on the record.",
        submit="Withdraw the case",
        success="The case is withdrawn.",
        phrase="withdraw the case",
        done="withdrew the case",
        inputs=(Input("reason", "text", "Why withdraw it?", required=True),),
        style="warning",
    ),
)

TRANSITIONS: dict[str, Transition] = {transition.name: transition for transition in _TABLE}
