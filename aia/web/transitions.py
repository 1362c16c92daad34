"""The transitions as the pages present them: a button, a confirmation page and its form.

The case page shows a button for each name ``aia.selectors.case_available_transitions``
returns (``transition_choices``), never a fixed list; the wording and the service come from
the transitions' table (``aia.services.transitions``). ``transition_refusal`` explains,
before the user fills anything in, why a transition is not open to them now (the services
give the same answers when it is taken).
"""

from typing import Any

from aia.exceptions import ApplicationError, Conflict
from aia.models import Case, User
from aia.services import cases as case_services
from aia.services.transitions import TRANSITIONS, Transition
from aia.web.forms import CommentForm, ConfirmForm, NoteForm, ReasonForm

# Transitions with a page of their own (URL names); the others share the confirmation page.
DEDICATED_PAGES = {"sign_off": "web:sign-off", "record_decision": "web:minister"}
# The form for a transition whose one input is text, by the input's name.
TEXT_FORMS = {"comment": CommentForm, "reason": ReasonForm, "note": NoteForm}


def text_form(spec: Transition, data: Any) -> Any:
    """The confirmation page's form for a transition whose only inputs are text: one text box
    labelled as the table says, or none."""
    texts = [field for field in spec.inputs if field.kind == "text"]
    if len(texts) != len(spec.inputs) or len(texts) > 1:
        raise ValueError(f"'{spec.name}' needs a page of its own.")
    if not texts:
        return ConfirmForm(data)
    return TEXT_FORMS[texts[0].name](data, label=texts[0].label)


def text_form_inputs(form: Any) -> dict[str, str]:
    """The service's keyword arguments from a ``text_form``."""
    return {name: form.cleaned_data[name] for name in TEXT_FORMS if name in form.fields}


def transition_refusal(case: Case, user: User, name: str) -> ApplicationError | None:
    """Return why the user may not take the transition now (403 or 409), or ``None``."""
    return case_services.case_transition_refusal(case=case, actor=user, name=name)


def transition_choices(case: Case, user: User) -> tuple[list[str], list[dict[str, Any]]]:
    """Return the transitions to offer the user as buttons, and those from the current state
    the user could take but for a guard, in the state machine's order.

    The buttons are exactly ``aia.selectors.case_available_transitions``: a transition is
    offered when the service would take it, i.e. when it has no refusal. The blocked ones are
    explained on the case page ("to submit the assessment, complete rf3, rf7 …") so that a
    missing button never leaves the user guessing; a role refusal is left out, as it is not
    the user's step to unblock. Each transition is checked once, for both answers.
    """
    available, blocked = [], []
    for transition in case.get_all_state_transitions():
        if transition.source != case.state:
            continue
        refusal = transition_refusal(case, user, transition.name)
        if refusal is None:
            available.append(transition.name)
        elif isinstance(refusal, Conflict) and "guard" in refusal.extra:
            blocked.append(
                {
                    "name": transition.name,
                    "button": TRANSITIONS[transition.name].button,
                    "message": refusal.message,
                    "extra": refusal.extra,
                }
            )
    return available, blocked
