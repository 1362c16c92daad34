"""Contract names (docs/architecture.md, *Contract names*) the API tests pin independently of
the code under test."""

# docs/architecture.md, *Transitions*, in order.
TRANSITION_NAMES = {
    "assign",
    "start_assessment",
    "submit_assessment",
    "return_assessment",
    "approve_assessment",
    "submit_options",
    "return_options",
    "approve_options",
    "return_for_revision",
    "sign_off",
    "submit_to_minister",
    "record_decision",
    "request_revision",
    "close",
    "reopen",
    "withdraw",
}
