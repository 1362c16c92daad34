"""What saving a warning will do, told before it is saved (the "check your answers" step).

It reads what ``trigger_ingest`` will read (a trigger with the same source and reference, the
situation's latest case) without locking anything, so it is a forecast: ``trigger_ingest``
decides again when the warning is saved. A case is named only to a user who may see it
(``selectors.case_is_visible_to``), as the API's answer names it.
"""

from dataclasses import dataclass, field

from django.conf import settings

from aia import selectors
from aia.models import Case, Situation, Trigger, User
from aia.models.choices import FINISHED_STATES, CaseState
from aia.services.triggers import SituationName

# What saving will do.
REPLAY, OPEN, JOIN, REOPEN, REFUSED = "replay", "open", "join", "reopen", "refused"


@dataclass
class Duplicate:
    """A warning already recorded with the same source and reference (ignoring case)."""

    trigger: Trigger
    # Its case, when the user may see it; otherwise only that it exists is said.
    case: Case | None
    exact: bool


@dataclass
class IntakePreview:
    outcome: str
    # The case the warning will go to, when there is one and the user may see it.
    case: Case | None = None
    # The warning goes to a case the user may not see.
    hidden_case: bool = False
    # The finished case a new case will follow.
    previous: Case | None = None
    duplicates: list[Duplicate] = field(default_factory=list)
    # The warnings already on the situation's open case, when the user may see it.
    case_triggers: list[Trigger] = field(default_factory=list)


def intake_preview(
    *, user: User, source_body: str, reference: str, situation: SituationName
) -> IntakePreview:
    """Forecast what ``trigger_ingest`` will do with the warning, and list possible duplicates."""
    duplicates = _duplicates(user, source_body, reference) if reference else []
    exact = next((d for d in duplicates if d.exact), None)
    if exact is not None:
        return IntakePreview(
            REPLAY, case=exact.case, hidden_case=exact.case is None, duplicates=duplicates
        )
    latest = _latest_case(situation)
    if latest is None or latest.state in FINISHED_STATES:
        visible = latest is not None and _visible(user, latest)
        return IntakePreview(OPEN, previous=latest if visible else None, duplicates=duplicates)
    outcome = REOPEN if latest.state == CaseState.MONITORING else JOIN
    if not _visible(user, latest):
        if not settings.AIA_INTAKE_JOIN_UNSEEN_CASES:
            outcome = REFUSED
        return IntakePreview(outcome, hidden_case=True, duplicates=duplicates)
    return IntakePreview(
        outcome,
        case=latest,
        duplicates=duplicates,
        case_triggers=list(latest.triggers.order_by("finding_date", "received_at")),
    )


def _duplicates(user: User, source_body: str, reference: str) -> list[Duplicate]:
    found = Trigger.objects.select_related("case").filter(
        source_body__iexact=source_body.strip(), reference__iexact=reference.strip()
    )
    return [
        Duplicate(
            trigger=trigger,
            case=trigger.case if _visible(user, trigger.case) else None,
            exact=(trigger.source_body, trigger.reference) == (source_body, reference),
        )
        for trigger in found
    ]


def _latest_case(name: SituationName) -> Case | None:
    situation = Situation.objects.filter(
        country_code=name.country_code, key=Situation.make_key(name.name)
    ).first()
    if situation is None:
        return None
    return Case.objects.filter(situation=situation).first()


def _visible(user: User, case: Case) -> bool:
    return selectors.case_is_visible_to(user=user, case_id=case.pk)
